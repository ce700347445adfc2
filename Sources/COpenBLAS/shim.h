#ifndef SRCORE_COPENBLAS_SHIM_H
#define SRCORE_COPENBLAS_SHIM_H
#include <cblas.h>
/* Declared by OpenBLAS; repeated here so the shim does not depend on openblas_config.h details. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
/* The core type OpenBLAS picked for this CPU ("Haswell", "Zen", "SkylakeX", "Prescott", ...). */
char *openblas_get_corename(void);
#endif
