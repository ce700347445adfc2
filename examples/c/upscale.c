/* upscale: upscale a PNG with libsrcore.
 *
 *   cc upscale.c -o upscale $(pkg-config --cflags --libs srcore)
 *   ./upscale in.png out.png            # the builtin x2 model
 *   ./upscale in.png out.png model.safetensors   # a weights file (its scale decides the factor)
 *   ./upscale in.png out.png 3          # the builtin x3 model
 */
#include <srcore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints a progress bar; returning non-zero would cancel. */
static int progress(void *user_data, double fraction) {
    (void)user_data;
    fprintf(stderr, "\r%3.0f%%", fraction * 100.0);
    if (fraction >= 1.0) fputc('\n', stderr);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s IN.png OUT.png [MODEL.safetensors | 2 | 3 | 4]\n", argv[0]);
        return 2;
    }
    sr_model *model = NULL;
    int rc;
    const char *which = argc > 3 ? argv[3] : "2";
    char *end;
    long scale = strtol(which, &end, 10);
    if (*end == '\0')
        rc = sr_model_load_builtin((int)scale, &model);
    else
        rc = sr_model_load(which, &model);
    if (rc != SR_OK) {
        fprintf(stderr, "cannot load model %s: %s (%s)\n", which, sr_status_string(rc), sr_last_error());
        return 1;
    }

    sr_model_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    sr_model_get_info(model, &info);
    fprintf(stderr, "srcore %s, x%d model: %d feature layers, %lld parameters\n", sr_version_string(), info.scale,
            info.feature_layers, (long long)info.parameter_count);

    sr_options options = SR_OPTIONS_INIT; /* all cores, automatic tiles, no self-ensemble */
    options.progress = progress;
    rc = sr_upscale_file(model, &options, argv[1], argv[2]);
    if (rc != SR_OK) fprintf(stderr, "upscale failed: %s (%s)\n", sr_status_string(rc), sr_last_error());
    sr_model_free(model);
    return rc == SR_OK ? 0 : 1;
}
