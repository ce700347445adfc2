#ifndef SRCORE_CMODELS_H
#define SRCORE_CMODELS_H
/* C support of libsrcore's C API (SRCApi): the builtin models and the per-thread error slot.
   Includes the public contract so that SRCApi's @_cdecl functions use its exact types (sr_image ...). */
#include "../../../include/srcore.h"

/*
 * The project's own trained models (Models/dcscn-x<scale>.safetensors), compiled into the library with C23
 * #embed when the file exists at build time. Returns 1 and sets *data / *size for a builtin model of
 * `scale`, 0 when this build has none.
 */
int srm_builtin_model(int scale, const unsigned char **data, size_t *size);
/* The same for the mid-size models (Models/dcscn-best-x<scale>.safetensors). */
int srm_builtin_model_best(int scale, const unsigned char **data, size_t *size);

/* The calling thread's last-error message (never NULL; "" when none), and its replacement (copied). */
const char *srm_last_error(void);
void srm_set_last_error(const char *message);
#endif
