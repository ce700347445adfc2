/* OpenBLAS cblas_sgemm against srcore's own kernels on the network's GEMM-shaped work, in one
   process and one run (variants interleaved rep by rep, medians reported).

   (1) Training weight gradient of every c-DCSCN x2 conv (srt_conv_dw): dW[tap][cin][cout] = sum over
       batch pixels of x * dy, i.e. a GEMM with M = k*k*cin, N = cout, K = pixels. The buffers are laid
       out exactly as TrainingGraph has them (zero-haloed NHWC, pad 1; the feature layers read a channel
       slice of H_concat, pixel stride 131; dy has cpad = round8(cout) channels). Two BLAS forms:
         im2col  copy the k*k*cin input columns and the dense dy of the chunk, then one sgemm
                 (the copies are inside the timing);
         shift   no copies: one sgemm per tap on shifted views of the padded buffers, K running over
                 the padded pixel span (dy is zero on the halo, so halo pixels add 0; K is ~6-13%
                 larger than the useful pixel count, which is inside the timing).
       Modes: "call=shard" runs one call over the whole batch (K = batch pixels, the shape;
       TrainOptions.microBatch = 0); "call=patch" runs one call per 32x32 patch and accumulates
       (microBatch = 1, the trainer's default).
       Threads: own 1T = one srt_conv_dw; own 2T = the trainer's split (two shards of the batch on two
       threads, summed); BLAS 1T = openblas_set_num_threads(1); BLAS 2T = OpenBLAS's own 2 threads over
       the whole batch; BLAS 2x1T = the trainer's split with single-threaded sgemm in each shard.
   (2) L12 (F196->48, gamma 1.5, concat 1301) forward of the 1x1 layers A1 (1301->64), B1 (1301->32)
       and A1+B1 together at 512x512 LR pixels, as DCSCNForward has them: H_concat stored part by part
       (12 dense padded maps), outputs padded maps. Own = srk_run_plan (A1+B1: fuse_next, as the
       engine runs them); BLAS = one sgemm per H_concat part (beta 1 after the first) straight into the
       padded output over the padded pixel span, then a bias+PReLU pass over the interior (timed;
       A1+B1: one N=96 sgemm into a scratch and an epilogue that writes both outputs).

   GFLOP/s count useful work only: 2*k*k*cin*cout*pixels. "diff" = max |a-b| / max |a| against the
   own single-threaded result. Build and run: bench/gemm_vs_kernels.sh. */
#define _GNU_SOURCE
#include "ckernels.h"
#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int g_reps = 7;
static const char *g_only = NULL;   /* comma-separated layer names, NULL = all */
static int g_batch = 0;             /* 0 = both batches */

static int selected(const char *name) {
    if (!g_only) return 1;
    const size_t n = strlen(name);
    for (const char *p = g_only; *p;) {
        const char *e = strchr(p, ',');
        const size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}
static double g_min_rep_s = 0.04;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static float *falloc(size_t n) {
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes ? bytes : 64);
    if (!p) { fprintf(stderr, "out of memory (%zu floats)\n", n); exit(1); }
    memset(p, 0, bytes);
    return p;
}

static uint64_t g_rng = 0x243F6A8885A308D3ULL;
static float frand(void) {
    g_rng ^= g_rng << 13; g_rng ^= g_rng >> 7; g_rng ^= g_rng << 17;
    return (float)((g_rng >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f;
}

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double loadavg1(void) {
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) { if (fscanf(f, "%lf", &l) != 1) l = -1; fclose(f); }
    return l;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- a 2-thread pool (the trainer's shards run on a persistent pool too) ------------------- */
typedef void (*task_fn)(void *arg, int part);
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned long gen, done;
    task_fn fn;
    void *arg;
    pthread_t tid;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, NULL, NULL, 0};

static void *pool_worker(void *unused) {
    (void)unused;
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&pool.mu);
        while (pool.gen == seen) pthread_cond_wait(&pool.cv, &pool.mu);
        seen = pool.gen;
        task_fn fn = pool.fn;
        void *arg = pool.arg;
        pthread_mutex_unlock(&pool.mu);
        fn(arg, 1);
        pthread_mutex_lock(&pool.mu);
        pool.done = seen;
        pthread_cond_broadcast(&pool.cv);
        pthread_mutex_unlock(&pool.mu);
    }
    return NULL;
}

static void pool_run2(task_fn fn, void *arg) {
    pthread_mutex_lock(&pool.mu);
    pool.fn = fn; pool.arg = arg;
    unsigned long g = ++pool.gen;
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
    fn(arg, 0);
    pthread_mutex_lock(&pool.mu);
    while (pool.done != g) pthread_cond_wait(&pool.cv, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
}

/* ---- timing: variants interleaved, median per variant -------------------------------------- */
typedef struct {
    const char *name;
    void (*fn)(void *ctx);
    int blas_threads;   /* OpenBLAS thread count while this variant runs */
    int threads;        /* threads the variant uses (1 or 2): ratios compare equal counts */
    int is_own;
    double median, cpu_median, diff;
    double t[64], c[64];
} variant;

/* OpenBLAS worker threads spin for a while after a multi-threaded call (2^28 cycles by default);
   on 2 cores that would steal a core from the next variant, so wait it out. */
static void settle_after(const variant *v) {
    if (v->blas_threads > 1) usleep(150000);
}

static void time_variants(variant *vs, int nv, void *ctx) {
    int iters[32];
    for (int i = 0; i < nv; i++) {
        openblas_set_num_threads(vs[i].blas_threads);
        vs[i].fn(ctx);   /* warm */
        double t0 = now();
        vs[i].fn(ctx);
        double t = now() - t0;
        iters[i] = t > 0 ? (int)ceil(g_min_rep_s / t) : 1000;
        if (iters[i] < 1) iters[i] = 1;
        if (iters[i] > 2000) iters[i] = 2000;
        settle_after(&vs[i]);
    }
    for (int r = 0; r < g_reps; r++)
        for (int i = 0; i < nv; i++) {
            openblas_set_num_threads(vs[i].blas_threads);
            double t0 = now(), c0 = cpu_now();
            for (int it = 0; it < iters[i]; it++) vs[i].fn(ctx);
            vs[i].t[r] = (now() - t0) / iters[i];
            vs[i].c[r] = (cpu_now() - c0) / iters[i];
            settle_after(&vs[i]);
        }
    for (int i = 0; i < nv; i++) {
        double s[64];
        memcpy(s, vs[i].t, sizeof(double) * (size_t)g_reps);
        qsort(s, (size_t)g_reps, sizeof(double), cmp_double);
        vs[i].median = s[g_reps / 2];
        memcpy(s, vs[i].c, sizeof(double) * (size_t)g_reps);
        qsort(s, (size_t)g_reps, sizeof(double), cmp_double);
        vs[i].cpu_median = s[g_reps / 2];
    }
    openblas_set_num_threads(1);
}

/* One markdown row per shape and mode, printed at the end: own vs the fastest BLAS variant per thread count. */
static char g_summary[256][320];
static int g_nsummary = 0;

static void add_summary(const char *shape, const char *mode, const variant *vs, int nv, double flops) {
    char cell[2][160];
    double maxdiff = 0;
    for (int t = 1; t <= 2; t++) {
        const variant *own = NULL, *best = NULL;
        for (int i = 0; i < nv; i++) {
            if (vs[i].threads != t) continue;
            if (vs[i].is_own) own = &vs[i];
            else if (!best || vs[i].median < best->median) best = &vs[i];
            if (!vs[i].is_own && vs[i].diff > maxdiff) maxdiff = vs[i].diff;
        }
        if (own && best)
            snprintf(cell[t - 1], sizeof cell[0], "%.3f (%.0f) | %.3f (%.0f) %s | **%.2f**", own->median * 1e3,
                     flops / own->median * 1e-9, best->median * 1e3, flops / best->median * 1e-9, best->name,
                     own->median / best->median);
        else
            snprintf(cell[t - 1], sizeof cell[0], "- | - | -");
    }
    if (g_nsummary < 256)
        snprintf(g_summary[g_nsummary++], sizeof g_summary[0], "| %s | %s | %s | %s | %.0e |", shape, mode, cell[0], cell[1], maxdiff);
}

static void print_summary(void) {
    if (!g_nsummary) return;
    printf("\nSummary: median wall ms (GFLOP/s); BLAS = its fastest variant; ratio = own time / BLAS time (> 1: BLAS faster)\n");
    printf("| shape | mode | own 1T | BLAS 1T | ratio 1T | own 2T | BLAS 2T | ratio 2T | max diff |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < g_nsummary; i++) printf("%s\n", g_summary[i]);
}

static void print_variants(const char *shape, const char *mode, const variant *vs, int nv, double flops) {
    add_summary(shape, mode, vs, nv, flops);
    double own[3] = {0, 0, 0};
    for (int i = 0; i < nv; i++) if (vs[i].is_own) own[vs[i].threads] = vs[i].median;
    for (int i = 0; i < nv; i++) {
        double ratio = own[vs[i].threads] > 0 ? own[vs[i].threads] / vs[i].median : 0;
        double lo = 1e30, hi = 0;
        for (int r = 0; r < g_reps; r++) { if (vs[i].t[r] < lo) lo = vs[i].t[r]; if (vs[i].t[r] > hi) hi = vs[i].t[r]; }
        printf("%-34s %-10s %dT %-14s %9.3f ms %6.1f GFLOP/s  x%.2f  min %9.3f ms  spread %5.1f%%  cpu %8.3f ms  diff %.1e  load %.2f\n",
               shape, mode, vs[i].threads, vs[i].name, vs[i].median * 1e3, flops / vs[i].median * 1e-9, ratio,
               lo * 1e3, (hi - lo) / vs[i].median * 100, vs[i].cpu_median * 1e3, vs[i].diff, loadavg1());
    }
    fflush(stdout);
}

/* ---- (1) training weight gradient ----------------------------------------------------------- */
typedef struct {
    int k, cin, cout, cpad, in_ld, n, h, w, per_patch;
    int hp, wp;
    float *in_buf, *gz_buf;
    srt_view in, gz;
    size_t gwn;
    float *gw[2];          /* per shard (shard 0 also gets the sum) */
    float *col[2], *dy[2]; /* im2col scratch per shard */
} dw_ctx;

static srt_view patch_view(srt_view v, int img) {
    srt_view r = v;
    r.base = v.base + (ptrdiff_t)img * v.ns;
    return r;
}

/* patches [p0, p1) into gw: own kernel */
static void dw_own_range(dw_ctx *c, int p0, int p1, float *gw) {
    if (c->per_patch) {
        for (int i = p0; i < p1; i++)
            srt_conv_dw(patch_view(c->in, i), c->cin, patch_view(c->gz, i), c->cpad, 1, c->h, c->w, c->k, gw);
    } else if (p1 > p0) {
        srt_conv_dw(patch_view(c->in, p0), c->cin, patch_view(c->gz, p0), c->cpad, p1 - p0, c->h, c->w, c->k, gw);
    }
}

/* im2col of patches [p0, p1) + dense dy, then one sgemm */
static void dw_im2col_chunk(dw_ctx *c, int p0, int p1, float *gw, float *col, float *dy) {
    const int k = c->k, r = k / 2, cin = c->cin, cout = c->cout, KK = k * k * cin;
    size_t row = 0;
    for (int i = p0; i < p1; i++)
        for (int y = 0; y < c->h; y++)
            for (int x = 0; x < c->w; x++, row++) {
                float *dst = col + row * (size_t)KK;
                for (int t = 0; t < k * k; t++) {
                    const float *src = c->in.base + (ptrdiff_t)i * c->in.ns + (ptrdiff_t)(y + t / k - r) * c->in.rs +
                                       (ptrdiff_t)(x + t % k - r) * c->in.ps;
                    memcpy(dst + (size_t)t * cin, src, sizeof(float) * (size_t)cin);
                }
                memcpy(dy + row * (size_t)cout,
                       c->gz.base + (ptrdiff_t)i * c->gz.ns + (ptrdiff_t)y * c->gz.rs + (ptrdiff_t)x * c->gz.ps,
                       sizeof(float) * (size_t)cout);
            }
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, KK, cout, (int)row, 1.0f, col, KK, dy, cout,
                1.0f, gw, c->cpad);
}

static void dw_im2col_range(dw_ctx *c, int p0, int p1, float *gw, int shard) {
    if (c->per_patch) for (int i = p0; i < p1; i++) dw_im2col_chunk(c, i, i + 1, gw, c->col[shard], c->dy[shard]);
    else if (p1 > p0) dw_im2col_chunk(c, p0, p1, gw, c->col[shard], c->dy[shard]);
}

/* k*k sgemms on shifted views of the padded buffers, K over the padded pixel span of [p0, p1) */
static void dw_shift_chunk(dw_ctx *c, int p0, int p1, float *gw) {
    const int k = c->k, r = k / 2, cin = c->cin;
    const int Q = (p1 - 1 - p0) * c->hp * c->wp + (c->h - 1) * c->wp + c->w;
    const float *g0 = c->gz.base + (ptrdiff_t)p0 * c->gz.ns;
    for (int t = 0; t < k * k; t++) {
        const float *a = c->in.base + (ptrdiff_t)p0 * c->in.ns + (ptrdiff_t)(t / k - r) * c->in.rs +
                         (ptrdiff_t)(t % k - r) * c->in.ps;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cin, c->cout, Q, 1.0f, a, (int)c->in.ps, g0,
                    (int)c->gz.ps, 1.0f, gw + (size_t)t * cin * c->cpad, c->cpad);
    }
}

static void dw_shift_range(dw_ctx *c, int p0, int p1, float *gw) {
    if (c->per_patch) for (int i = p0; i < p1; i++) dw_shift_chunk(c, i, i + 1, gw);
    else if (p1 > p0) dw_shift_chunk(c, p0, p1, gw);
}

static void zero_gw(dw_ctx *c, int s) { memset(c->gw[s], 0, sizeof(float) * c->gwn); }
static void sum_shards(dw_ctx *c) {
    for (size_t j = 0; j < c->gwn; j++) c->gw[0][j] += c->gw[1][j];
}

static void v_own1(void *p) { dw_ctx *c = p; zero_gw(c, 0); dw_own_range(c, 0, c->n, c->gw[0]); }
static void v_im2col1(void *p) { dw_ctx *c = p; zero_gw(c, 0); dw_im2col_range(c, 0, c->n, c->gw[0], 0); }
static void v_shift1(void *p) { dw_ctx *c = p; zero_gw(c, 0); dw_shift_range(c, 0, c->n, c->gw[0]); }

static void shard_bounds(const dw_ctx *c, int part, int *p0, int *p1) {
    /* Trainer: shard i gets batch/t (+1 for the first batch % t shards) consecutive patches */
    int n0 = c->n / 2 + (c->n % 2 ? 1 : 0);
    *p0 = part == 0 ? 0 : n0;
    *p1 = part == 0 ? n0 : c->n;
}
static void t_own(void *p, int part) { dw_ctx *c = p; int a, b; shard_bounds(c, part, &a, &b); zero_gw(c, part); dw_own_range(c, a, b, c->gw[part]); }
static void t_im2col(void *p, int part) { dw_ctx *c = p; int a, b; shard_bounds(c, part, &a, &b); zero_gw(c, part); dw_im2col_range(c, a, b, c->gw[part], part); }
static void t_shift(void *p, int part) { dw_ctx *c = p; int a, b; shard_bounds(c, part, &a, &b); zero_gw(c, part); dw_shift_range(c, a, b, c->gw[part]); }
static void v_own2(void *p) { pool_run2(t_own, p); sum_shards(p); }
static void v_im2col2x1(void *p) { pool_run2(t_im2col, p); sum_shards(p); }
static void v_shift2x1(void *p) { pool_run2(t_shift, p); sum_shards(p); }

static void bench_dw(const char *name, int k, int cin, int cout, int in_ld, int n, int h, int w) {
    if (!selected(name) || (g_batch && g_batch != n)) return;
    dw_ctx c;
    memset(&c, 0, sizeof c);
    c.k = k; c.cin = cin; c.cout = cout; c.cpad = (int)srk_conv_padded_cout(cout); c.in_ld = in_ld;
    c.n = n; c.h = h; c.w = w;
    const int pad = 1; /* TrainingGraph: every buffer has a halo of kernelSize/2 = 1 */
    c.hp = h + 2 * pad; c.wp = w + 2 * pad;
    const size_t pix = (size_t)n * c.hp * c.wp;
    c.in_buf = falloc(pix * in_ld);
    c.gz_buf = falloc(pix * c.cpad);
    c.in = (srt_view){c.in_buf + (pad * c.wp + pad) * in_ld, (ptrdiff_t)c.hp * c.wp * in_ld, (ptrdiff_t)c.wp * in_ld, in_ld};
    c.gz = (srt_view){c.gz_buf + (pad * c.wp + pad) * c.cpad, (ptrdiff_t)c.hp * c.wp * c.cpad, (ptrdiff_t)c.wp * c.cpad, c.cpad};
    /* interior values; the input's other channels (other H_concat parts) are filled too */
    for (int i = 0; i < n; i++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float *ip = c.in.base + (ptrdiff_t)i * c.in.ns + (ptrdiff_t)y * c.in.rs + (ptrdiff_t)x * c.in.ps;
                for (int j = 0; j < in_ld; j++) ip[j] = frand();
                float *gp = c.gz.base + (ptrdiff_t)i * c.gz.ns + (ptrdiff_t)y * c.gz.rs + (ptrdiff_t)x * c.gz.ps;
                for (int j = 0; j < cout; j++) gp[j] = frand() * 0.01f;
            }
    c.gwn = (size_t)k * k * cin * c.cpad;
    float *ref = falloc(c.gwn);
    for (int s = 0; s < 2; s++) {
        c.gw[s] = falloc(c.gwn);
        c.col[s] = falloc((size_t)n * h * w * k * k * cin);
        c.dy[s] = falloc((size_t)n * h * w * cout);
    }
    char shape[96];
    snprintf(shape, sizeof shape, "%s %dx%d %d->%d b%d", name, k, k, cin, cout, n);
    const double flops = 2.0 * k * k * cin * cout * (double)n * h * w;
    for (int mode = 0; mode < 2; mode++) {
        c.per_patch = mode;
        variant vs[] = {
            {"own", v_own1, 1, 1, 1},
            {"blas-im2col", v_im2col1, 1, 1, 0},
            {"blas-shift", v_shift1, 1, 1, 0},
            {"own", v_own2, 1, 2, 1},
            {"blas-im2col", v_im2col1, 2, 2, 0},
            {"blas-shift", v_shift1, 2, 2, 0},
            {"blas-im2col2x1", v_im2col2x1, 1, 2, 0},
            {"blas-shift2x1", v_shift2x1, 1, 2, 0},
        };
        const int nv = (int)(sizeof vs / sizeof vs[0]);
        /* correctness: every variant once from zero against the own single-threaded result */
        openblas_set_num_threads(1);
        v_own1(&c);
        memcpy(ref, c.gw[0], sizeof(float) * c.gwn);
        for (int i = 0; i < nv; i++) {
            openblas_set_num_threads(vs[i].blas_threads);
            vs[i].fn(&c);
            /* compare the cout valid columns only */
            double m = 0, dm = 0;
            for (size_t rr = 0; rr < (size_t)k * k * cin; rr++)
                for (int o = 0; o < cout; o++) {
                    double a = fabs(ref[rr * c.cpad + o]), e = fabs((double)ref[rr * c.cpad + o] - c.gw[0][rr * c.cpad + o]);
                    if (a > m) m = a;
                    if (e > dm || e != e) dm = e;
                }
            vs[i].diff = m > 0 ? dm / m : dm;
            settle_after(&vs[i]);
        }
        time_variants(vs, nv, &c);
        print_variants(shape, mode ? "call=patch" : "call=shard", vs, nv, flops);
    }
    free(ref);
    for (int s = 0; s < 2; s++) { free(c.gw[s]); free(c.col[s]); free(c.dy[s]); }
    free(c.in_buf); free(c.gz_buf);
}

/* ---- (2) L12 forward 1x1 layers -------------------------------------------------------------- */
#define MAXPARTS 16
typedef struct {
    int h, w, hp, wp, nparts, cin, Q;
    int parts[MAXPARTS];
    float *hbuf;                     /* H_concat: the parts one after the other */
    const float *origin[MAXPARTS];   /* pixel (0,0) of each part */
    int couts[2];                    /* A1, B1 */
    float *hwio[2], *bias[2], *alpha[2], *packed[2], *biasp[2], *alphap[2];
    float *wcat;                     /* [cin][96]: A1 | B1 */
    float *out_buf[2], *out[2];      /* padded outputs (concat2[1], b1) */
    float *ref[2];
    float *scratch;                  /* [Q][96] */
    srk_conv_layer layer[2];
    srk_input inputs[MAXPARTS];
    srk_step steps[2];
    int which;                       /* 0 = A1, 1 = B1, 2 = A1+B1 */
    int threads;
} fw_ctx;

static void fw_epilogue_rows(fw_ctx *c, int which, int y0, int y1) {
    const int co = c->couts[which];
    const float *b = c->bias[which], *a = c->alpha[which];
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < c->w; x++) {
            float *o = c->out[which] + ((ptrdiff_t)y * c->wp + x) * co;
            for (int j = 0; j < co; j++) {
                const float v = o[j] + b[j];
                o[j] = v > 0 ? v : v * a[j];
            }
        }
}

static void fw_epilogue_cat_rows(fw_ctx *c, int y0, int y1) {
    const int ca = c->couts[0], cb = c->couts[1], cc = ca + cb;
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < c->w; x++) {
            const float *s = c->scratch + ((ptrdiff_t)y * c->wp + x) * cc;
            float *oa = c->out[0] + ((ptrdiff_t)y * c->wp + x) * ca, *ob = c->out[1] + ((ptrdiff_t)y * c->wp + x) * cb;
            for (int j = 0; j < ca; j++) { const float v = s[j] + c->bias[0][j]; oa[j] = v > 0 ? v : v * c->alpha[0][j]; }
            for (int j = 0; j < cb; j++) { const float v = s[ca + j] + c->bias[1][j]; ob[j] = v > 0 ? v : v * c->alpha[1][j]; }
        }
}

static void t_epi(void *p, int part) {
    fw_ctx *c = p;
    const int y0 = part ? c->h / 2 : 0, y1 = part ? c->h : c->h / 2;
    if (c->which == 2) fw_epilogue_cat_rows(c, y0, y1);
    else fw_epilogue_rows(c, c->which, y0, y1);
}

static void fw_blas(void *p) {
    fw_ctx *c = p;
    int cbase = 0;
    if (c->which == 2) {
        const int cc = c->couts[0] + c->couts[1];
        for (int s = 0; s < c->nparts; s++) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c->Q, cc, c->parts[s], 1.0f, c->origin[s], c->parts[s],
                        c->wcat + (size_t)cbase * cc, cc, s ? 1.0f : 0.0f, c->scratch, cc);
            cbase += c->parts[s];
        }
    } else {
        const int co = c->couts[c->which];
        for (int s = 0; s < c->nparts; s++) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c->Q, co, c->parts[s], 1.0f, c->origin[s], c->parts[s],
                        c->hwio[c->which] + (size_t)cbase * co, co, s ? 1.0f : 0.0f, c->out[c->which], co);
            cbase += c->parts[s];
        }
    }
    if (c->threads == 2) pool_run2(t_epi, c);
    else { t_epi(c, 0); t_epi(c, 1); }
}

static void fw_own(void *p) {
    fw_ctx *c = p;
    if (c->which == 2) srk_run_plan(c->steps, 2, c->threads, SRK_ISA_AUTO);
    else srk_run_plan(&c->steps[c->which], 1, c->threads, SRK_ISA_AUTO);
}

static void fw_own1(void *p) { ((fw_ctx *)p)->threads = 1; fw_own(p); }
static void fw_own2(void *p) { ((fw_ctx *)p)->threads = 2; fw_own(p); }
static void fw_blas1(void *p) { ((fw_ctx *)p)->threads = 1; fw_blas(p); }
static void fw_blas2(void *p) { ((fw_ctx *)p)->threads = 2; fw_blas(p); }

static double fw_diff(fw_ctx *c) {
    double d = 0;
    for (int l = 0; l < 2; l++) {
        if (c->which != 2 && c->which != l) continue;
        const int co = c->couts[l];
        double m = 0, dm = 0;
        for (int y = 0; y < c->h; y++)
            for (int x = 0; x < c->w; x++)
                for (int j = 0; j < co; j++) {
                    const size_t i = ((size_t)y * c->wp + x) * co;
                    double a = fabs(c->ref[l][i + j]), e = fabs((double)c->ref[l][i + j] - c->out[l][i + j]);
                    if (a > m) m = a;
                    if (e > dm || e != e) dm = e;
                }
        const double r = m > 0 ? dm / m : dm;
        if (r > d) d = r;
    }
    return d;
}

static void bench_fw_l12(int side) {
    if (!selected("L12")) return;
    static const int widths[12] = {196, 166, 148, 133, 120, 108, 97, 86, 76, 66, 57, 48}; /* DCSCNConfig.standard */
    fw_ctx c;
    memset(&c, 0, sizeof c);
    c.h = c.w = side; c.hp = c.wp = side + 2; c.nparts = 12;
    c.Q = (c.h - 1) * c.wp + c.w;
    size_t total = 0;
    for (int s = 0; s < 12; s++) { c.parts[s] = widths[s]; c.cin += widths[s]; total += (size_t)c.hp * c.wp * widths[s]; }
    c.hbuf = falloc(total);
    size_t off = 0;
    for (int s = 0; s < 12; s++) {
        float *base = c.hbuf + off;
        float *org = base + ((size_t)c.wp + 1) * widths[s];
        c.origin[s] = org;
        for (int y = 0; y < c.h; y++)
            for (int x = 0; x < c.w; x++)
                for (int j = 0; j < widths[s]; j++) {
                    const float v = frand();
                    org[((size_t)y * c.wp + x) * widths[s] + j] = v > 0 ? v : 0.1f * v; /* PReLU-like */
                }
        c.inputs[s] = (srk_input){org, (ptrdiff_t)c.wp * widths[s], widths[s], widths[s]};
        off += (size_t)c.hp * c.wp * widths[s];
    }
    c.couts[0] = 64; c.couts[1] = 32;
    const int cc = 96;
    c.wcat = falloc((size_t)c.cin * cc);
    for (int l = 0; l < 2; l++) {
        const int co = c.couts[l];
        c.hwio[l] = falloc((size_t)c.cin * co);
        const float sc = sqrtf(2.0f / c.cin);
        for (size_t i = 0; i < (size_t)c.cin * co; i++) c.hwio[l][i] = frand() * sc;
        for (int ci = 0; ci < c.cin; ci++)
            for (int o = 0; o < co; o++) c.wcat[(size_t)ci * cc + (l ? 64 : 0) + o] = c.hwio[l][(size_t)ci * co + o];
        c.bias[l] = falloc(srk_conv_padded_cout(co));
        c.alpha[l] = falloc(srk_conv_padded_cout(co));
        for (int o = 0; o < co; o++) { c.bias[l][o] = frand() * 0.1f; c.alpha[l][o] = 0.1f + 0.1f * frand(); }
        c.packed[l] = falloc(srk_conv_packed_size(1, c.cin, co));
        srk_conv_pack(1, c.cin, co, c.hwio[l], c.packed[l]);
        c.layer[l] = (srk_conv_layer){1, c.cin, co, c.packed[l], c.bias[l], c.alpha[l]};
        c.out_buf[l] = falloc((size_t)c.hp * c.wp * co);
        c.out[l] = c.out_buf[l] + ((size_t)c.wp + 1) * co;
        c.ref[l] = falloc((size_t)c.hp * c.wp * co);
        srk_step *st = &c.steps[l];
        memset(st, 0, sizeof *st);
        st->kind = SRK_STEP_CONV; st->rows = c.h; st->width = c.w;
        st->layer = &c.layer[l]; st->narrow = NULL; st->inputs = c.inputs; st->ninputs = 12;
        st->out = c.out[l]; st->out_rs = (ptrdiff_t)c.wp * co; st->out_ps = co;
    }
    c.steps[0].fuse_next = 1; /* DCSCNForward: A1 then B1 chunk by chunk (used when both run) */
    c.scratch = falloc((size_t)c.hp * c.wp * cc);
    static const char *names[3] = {"A1", "B1", "A1+B1"};
    for (int which = 0; which < 3; which++) {
        c.which = which;
        char shape[96];
        snprintf(shape, sizeof shape, "L12 %s 1x1 %d->%d %dx%d", names[which], c.cin,
                 which == 2 ? 96 : c.couts[which], side, side);
        const double flops = 2.0 * c.cin * (which == 2 ? 96 : c.couts[which]) * (double)c.h * c.w;
        variant vs[] = {
            {"own", fw_own1, 1, 1, 1},
            {"blas", fw_blas1, 1, 1, 0},
            {"own", fw_own2, 1, 2, 1},
            {"blas", fw_blas2, 2, 2, 0},
        };
        const int nv = 4;
        openblas_set_num_threads(1);
        fw_own1(&c);
        for (int l = 0; l < 2; l++) memcpy(c.ref[l], c.out_buf[l] + ((size_t)c.wp + 1) * c.couts[l],
                                           sizeof(float) * ((size_t)c.hp * c.wp - (size_t)c.wp - 1) * c.couts[l]);
        for (int i = 0; i < nv; i++) {
            for (int l = 0; l < 2; l++) memset(c.out_buf[l], 0, sizeof(float) * (size_t)c.hp * c.wp * c.couts[l]);
            openblas_set_num_threads(vs[i].blas_threads);
            vs[i].fn(&c);
            vs[i].diff = fw_diff(&c);
            settle_after(&vs[i]);
        }
        time_variants(vs, nv, &c);
        print_variants(shape, "fwd", vs, nv, flops);
    }
    free(c.hbuf); free(c.wcat); free(c.scratch);
    for (int l = 0; l < 2; l++) {
        free(c.hwio[l]); free(c.bias[l]); free(c.alpha[l]); free(c.packed[l]); free(c.out_buf[l]); free(c.ref[l]);
    }
}

int main(int argc, char **argv) {
    int do_train = 1, do_fwd = 1, side = 512;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) g_reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--train-only")) do_fwd = 0;
        else if (!strcmp(argv[i], "--fwd-only")) do_train = 0;
        else if (!strcmp(argv[i], "--side") && i + 1 < argc) side = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--min-rep-s") && i + 1 < argc) g_min_rep_s = atof(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) g_only = argv[++i];
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) g_batch = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--reps N] [--train-only|--fwd-only] [--only CNN1,A1,...,L12] [--batch 20|32]\n"
                            "       [--side N (L12 forward, default 512)] [--min-rep-s S (default 0.04)]\n", argv[0]);
            return 2;
        }
    }
    if (g_reps < 1) g_reps = 1;
    if (g_reps > 64) g_reps = 64;
    if (pthread_create(&pool.tid, NULL, pool_worker, NULL) != 0) { fprintf(stderr, "pthread_create failed\n"); return 1; }
    printf("OpenBLAS: %s (core %s); own kernels: AVX2+FMA %s; %d reps per variant, medians; wall time\n",
           openblas_get_config(), openblas_get_corename(), srt_conv_dw_uses_avx2() ? "yes" : "no (portable)", g_reps);
    printf("%-34s %-10s %-17s %12s %14s  x = own time / this time at the same thread count; spread = (max-min)/median\n"
           "of the wall times; min = fastest rep; cpu = median process CPU time per call; load = 1-min load average after the shape\n",
           "shape", "mode", "threads variant", "median wall", "useful rate");
    if (do_train) {
        /* c-DCSCN x2 (DCSCNConfig.compact: widths 32 26 22 18 14 11 8, concat 131, A24, B8), 32x32 LR
           patches, HR 64x64. in_ld = the pixel stride of the buffer the layer reads in TrainingGraph. */
        static const int fw[7] = {32, 26, 22, 18, 14, 11, 8};
        const int batches[2] = {20, 32};
        for (int bi = 0; bi < 2; bi++) {
            const int n = batches[bi];
            bench_dw("CNN1", 3, 1, 32, 1, n, 32, 32);
            for (int i = 1; i < 7; i++) {
                char nm[16];
                snprintf(nm, sizeof nm, "CNN%d", i + 1);
                bench_dw(nm, 3, fw[i - 1], fw[i], 131, n, 32, 32);
            }
            bench_dw("A1", 1, 131, 24, 131, n, 32, 32);
            bench_dw("B1", 1, 131, 8, 131, n, 32, 32);
            bench_dw("B2", 3, 8, 8, 8, n, 32, 32);
            bench_dw("Up-PS", 3, 32, 4, 32, n, 32, 32);
            bench_dw("R-CNN1", 3, 1, 1, 1, n, 64, 64);
        }
    }
    if (do_fwd) bench_fw_l12(side);
    print_summary();
    return 0;
}
