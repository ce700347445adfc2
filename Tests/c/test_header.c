/* include/srcore.h compiles cleanly as C99/C11 and C++ (-Wall -Wextra -Werror -pedantic), links, and its
   macros agree with the library. Built as C++ by Tests/c/run.sh (g++ -x c++). */
#include <srcore.h>
#include <srcore.h> /* include guard */
#include <stdio.h>
#include <string.h>

static int on_progress(void *user, double fraction) {
    (void)user;
    return fraction > 2.0;
}

/* The version 0.1 layouts (LP64) that the library accepts forever as the smallest struct_size. */
#if defined(__LP64__)
typedef char check_options_size[sizeof(sr_options) >= 40 ? 1 : -1];
typedef char check_info_size[sizeof(sr_model_info) >= 64 ? 1 : -1];
#endif

int main(void) {
    sr_options o = SR_OPTIONS_INIT;
    sr_options p;
    sr_model_info info;
    sr_image img;
    sr_model *model = NULL;
    sr_progress_fn fn = on_progress;
    memset(&info, 0, sizeof info);
    memset(&img, 0, sizeof img);
    sr_options_init(&p);
    o.progress = fn;
    info.struct_size = sizeof info;
    img.format = SR_FORMAT_RGBA16;
    sr_model_free(model);
    if (sr_version_number() != SR_VERSION_NUMBER || strcmp(sr_version_string(), SR_VERSION_STRING) != 0) {
        fprintf(stderr, "version mismatch: header %s, library %s\n", SR_VERSION_STRING, sr_version_string());
        return 1;
    }
    if (p.struct_size != o.struct_size || p.png_compression != 0 || sr_status_string(SR_ERROR_INTERNAL) == NULL) return 1;
    if (sr_upscale(model, &o, &img, &img) != SR_ERROR_INVALID_ARGUMENT) return 1;
    printf("srcore %s: header OK (%s)\n", sr_version_string(),
#ifdef __cplusplus
           "C++"
#else
           "C"
#endif
    );
    return 0;
}
