/* 8 threads share one loaded model and upscale concurrently with different options; every result
   equals the single-threaded one bit for bit. Also run under valgrind and ThreadSanitizer.
   Usage: test_threads MODEL.safetensors [SCRATCH_DIR]   (SRCORE_TEST_QUICK=1: smaller images, one round;
   with SCRATCH_DIR, 8 threads also run sr_upscale_file at once and must write identical files) */
#include "testutil.h"
#include <pthread.h>

#define NTHREADS 8

struct job {
    const sr_model *model;
    const sr_image *in;
    const sr_image *expected;
    int index;
    int rounds;
    int ok;
};

static void *worker(void *arg) {
    struct job *j = arg;
    j->ok = 1;
    for (int r = 0; r < j->rounds; r++) {
        sr_options o = SR_OPTIONS_INIT;
        o.threads = 1 + (j->index + r) % 2;        /* 1 or 2 inner threads */
        o.tile_size = ((j->index + r) % 3) * 7;    /* 0 (auto), 7, 14 */
        size_t pad = (size_t)j->index * (j->in->format == SR_FORMAT_Y_F32 ? 4 : 1);
        sr_image out = tu_make_output(j->model, j->in->format, j->in->width, j->in->height, pad);
        int rc = sr_upscale(j->model, &o, j->in, &out);
        if (rc != SR_OK) {
            fprintf(stderr, "thread %d: %s\n", j->index, sr_last_error());
            j->ok = 0;
        } else if (!tu_same_pixels(&out, j->expected)) {
            fprintf(stderr, "thread %d round %d: result differs\n", j->index, r);
            j->ok = 0;
        }
        /* a failing call sets only this thread's message */
        if (sr_upscale(NULL, &o, j->in, &out) != SR_ERROR_INVALID_ARGUMENT || !strstr(sr_last_error(), "model is NULL"))
            j->ok = 0;
        free(out.data);
    }
    return NULL;
}

struct filejob {
    const sr_model *model;
    const char *in;
    char out[4096];
    int ok;
};

static void *file_worker(void *arg) {
    struct filejob *j = arg;
    sr_options o = SR_OPTIONS_INIT;
    o.threads = 1;
    j->ok = sr_upscale_file(j->model, &o, j->in, j->out) == SR_OK;
    if (!j->ok) fprintf(stderr, "%s\n", sr_last_error());
    return NULL;
}


struct loader {
    const char *path;
    int ok;
};

static void *load_and_free(void *arg) {
    struct loader *l = arg;
    sr_model *m = NULL;
    l->ok = sr_model_load(l->path, &m) == SR_OK && sr_model_scale(m) >= 2;
    sr_model_free(m);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL.safetensors\n", argv[0]);
        return 2;
    }
    int quick = getenv("SRCORE_TEST_QUICK") != NULL;
    sr_model *m = NULL;
    CHECK_RC(sr_model_load(argv[1], &m), SR_OK);
    if (!m) return tu_report("test_threads");
    const int fmts[2] = {SR_FORMAT_RGB8, SR_FORMAT_Y_F32};
    for (int k = 0; k < 2; k++) {
        sr_image in = tu_make_image(fmts[k], quick ? 10 : 40, quick ? 8 : 33, 3 * (size_t)k * 4, 11);
        sr_image expected = tu_make_output(m, in.format, in.width, in.height, 0);
        sr_options o = SR_OPTIONS_INIT;
        o.threads = 1;
        CHECK_RC(sr_upscale(m, &o, &in, &expected), SR_OK);
        pthread_t t[NTHREADS];
        struct job jobs[NTHREADS];
        for (int i = 0; i < NTHREADS; i++) {
            jobs[i].model = m;
            jobs[i].in = &in;
            jobs[i].expected = &expected;
            jobs[i].index = i;
            jobs[i].rounds = quick ? 1 : 3;
            jobs[i].ok = 0;
            CHECK(pthread_create(&t[i], NULL, worker, &jobs[i]) == 0);
        }
        for (int i = 0; i < NTHREADS; i++) {
            pthread_join(t[i], NULL);
            CHECK(jobs[i].ok);
        }
        free(in.data);
        free(expected.data);
    }
    if (argc > 2) {
        char in_path[4096];
        snprintf(in_path, sizeof in_path, "%s/threads-in.png", argv[2]);
        sr_image in = tu_make_image(SR_FORMAT_RGBA16, quick ? 9 : 31, quick ? 7 : 25, 0, 21);
        CHECK(tu_write_png(in_path, &in));
        free(in.data);
        pthread_t ft[NTHREADS];
        struct filejob fj[NTHREADS];
        for (int i = 0; i < NTHREADS; i++) {
            fj[i].model = m;
            fj[i].in = in_path;
            snprintf(fj[i].out, sizeof fj[i].out, "%s/threads-out-%d.png", argv[2], i);
            fj[i].ok = 0;
            CHECK(pthread_create(&ft[i], NULL, file_worker, &fj[i]) == 0);
        }
        for (int i = 0; i < NTHREADS; i++) {
            pthread_join(ft[i], NULL);
            CHECK(fj[i].ok);
            CHECK(tu_same_file(fj[i].out, fj[0].out));
        }
    }
    sr_model_free(m);

    /* concurrent loads and frees (HDF5 is serialised inside the library) */
    pthread_t t[NTHREADS];
    struct loader ld[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        ld[i].path = argv[1];
        ld[i].ok = 0;
        CHECK(pthread_create(&t[i], NULL, load_and_free, &ld[i]) == 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK(ld[i].ok);
    }
    return tu_report("test_threads");
}
