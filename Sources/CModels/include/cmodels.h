#ifndef SRCORE_CMODELS_H
#define SRCORE_CMODELS_H
/* The public C contract, so that SRCApi's @_cdecl functions use its exact types (sr_image, sr_options ...). */
#include "../../../include/srcore.h"

/*
 * The project's own trained models (Models/dcscn-x<scale>.h5), compiled into the library with C23
 * #embed when the file exists at build time. Returns 1 and sets *data / *size for a builtin model of
 * `scale`, 0 when this build has none.
 */
int srm_builtin_model(int scale, const unsigned char **data, size_t *size);
#endif
