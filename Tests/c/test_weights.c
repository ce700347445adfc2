/* libsrcore loads only safetensors weights (docs/weights.md, "What srcore trusts"): HDF5 is refused with
   SR_ERROR_UNSUPPORTED from a file and from memory, a file and its bytes in memory give the same
   model, and thousands of byte mutations of the model through sr_model_load_memory each return a
   status (never a crash, a hang or a huge allocation).
   Usage: test_weights MODEL.safetensors SCRATCH_DIR [LEGACY.h5]   (SRCORE_TEST_QUICK=1: fewer mutations) */
#include "testutil.h"
#include <stdint.h>

static unsigned char *read_all(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *size = b ? (size_t)n : 0;
    return b;
}

static void test_hdf5_refused(const char *legacy, const char *scratch) {
    sr_model *m = (sr_model *)(uintptr_t)1;
    /* the HDF5 signature alone decides: nothing of the file reaches libhdf5 */
    unsigned char fake[64] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n'};
    CHECK_RC(sr_model_load_memory(fake, sizeof fake, &m), SR_ERROR_UNSUPPORTED);
    CHECK(m == NULL && strstr(sr_last_error(), "sr convert") != NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/fake.h5", scratch);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(fake, 1, sizeof fake, f);
        fclose(f);
        CHECK_RC(sr_model_load(path, &m), SR_ERROR_UNSUPPORTED);
        CHECK(m == NULL && strstr(sr_last_error(), path) != NULL);
    }
    if (!legacy) {
        printf("note: no legacy .h5 model given, only the signature was tested\n");
        return;
    }
    size_t n = 0;
    unsigned char *bytes = read_all(legacy, &n);
    CHECK(bytes != NULL);
    CHECK_RC(sr_model_load(legacy, &m), SR_ERROR_UNSUPPORTED);
    CHECK(m == NULL && strstr(sr_last_error(), "HDF5") != NULL && strstr(sr_last_error(), "sr convert") != NULL);
    if (bytes) CHECK_RC(sr_model_load_memory(bytes, n, &m), SR_ERROR_UNSUPPORTED);
    CHECK(m == NULL);
    free(bytes);
}

static void test_memory_equals_file(const char *model, const unsigned char *bytes, size_t n) {
    sr_model *a = NULL, *b = NULL;
    CHECK_RC(sr_model_load(model, &a), SR_OK);
    CHECK_RC(sr_model_load_memory(bytes, n, &b), SR_OK);
    if (!a || !b) return;
    sr_image in = tu_make_image(SR_FORMAT_RGB8, 17, 13, 0, 3);
    sr_image oa = tu_make_output(a, in.format, in.width, in.height, 0);
    sr_image ob = tu_make_output(b, in.format, in.width, in.height, 0);
    CHECK_RC(sr_upscale(a, NULL, &in, &oa), SR_OK);
    CHECK_RC(sr_upscale(b, NULL, &in, &ob), SR_OK);
    CHECK(tu_same_pixels(&oa, &ob));
    free(in.data);
    free(oa.data);
    free(ob.data);
    sr_model_free(a);
    sr_model_free(b);
}

/* Random byte changes, mostly in the length field and the JSON header (where the parser works). */
static void test_mutations(const unsigned char *valid, size_t n, int rounds) {
    if (n < 16) return;
    uint64_t header = 0;
    for (int i = 7; i >= 0; i--) header = header << 8 | valid[i];
    size_t end = header + 8 < n ? (size_t)header + 8 : n;
    unsigned char *b = malloc(n);
    uint32_t seed = 12345;
    int loaded = 0, refused = 0, bad = 0;
    for (int r = 0; r < rounds; r++) {
        memcpy(b, valid, n);
        int flips = 1 + (int)(tu_rand(&seed) % 3);
        for (int k = 0; k < flips; k++) {
            uint32_t where = tu_rand(&seed) % 4;
            size_t at = where == 0 ? tu_rand(&seed) % n : where == 1 ? tu_rand(&seed) % 8 : 8 + tu_rand(&seed) % (end - 8);
            b[at] = tu_rand(&seed) % 2 ? (unsigned char)(b[at] ^ (1u << (tu_rand(&seed) % 8))) : (unsigned char)tu_rand(&seed);
        }
        size_t len = r % 10 == 0 ? 1 + tu_rand(&seed) % n : n;
        sr_model *m = NULL;
        int rc = sr_model_load_memory(b, len, &m);
        if (rc == SR_OK) {
            loaded++;
            CHECK(m != NULL && sr_model_scale(m) >= 2);
            sr_model_free(m);
        } else if (rc == SR_ERROR_FORMAT || rc == SR_ERROR_UNSUPPORTED || rc == SR_ERROR_SHAPE_MISMATCH ||
                   rc == SR_ERROR_OUT_OF_MEMORY) {
            refused++;
            CHECK(m == NULL && sr_last_error()[0] != '\0');
        } else {
            bad++;
            fprintf(stderr, "mutation %d: unexpected status %d: %s\n", r, rc, sr_last_error());
        }
    }
    CHECK(bad == 0 && refused > rounds / 2);
    printf("%d byte mutations: %d loaded, %d refused\n", rounds, loaded, refused);
    free(b);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL.safetensors SCRATCH_DIR [LEGACY.h5]\n", argv[0]);
        return 2;
    }
    const char *q = getenv("SRCORE_TEST_QUICK");
    int quick = q && q[0] == '1';
    size_t n = 0;
    unsigned char *bytes = read_all(argv[1], &n);
    CHECK(bytes != NULL);
    test_hdf5_refused(argc > 3 ? argv[3] : NULL, argv[2]);
    if (bytes) {
        test_memory_equals_file(argv[1], bytes, n);
        test_mutations(bytes, n, quick ? 150 : 3000);
    }
    free(bytes);
    return tu_report("test_weights");
}
