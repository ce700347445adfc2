/* Per-layer timing of the forward conv kernels (docs/performance.md): each c-DCSCN x2 layer on a
   512-pixel-wide strip, one thread, against the register-only FMA ceiling measured in the same
   run. Reports useful GFLOP/s (2 x multiply-adds of the layer's real channels) and the fraction of
   the ceiling. The last four rows are probes: A1 and B1 on one 131-channel part, and on parts of
   multiples of 8 channels (the cost of c-DCSCN's ragged H_concat parts). The strip height is the
   first argument (default 64 rows: the input of A1/B1 is then 17 MB, out of L2; 2 rows keep every
   layer's input in L2). Build and run: `make bench-layers ROWS=64` (clang -O3, the flags of the
   CKernels target). */
#include "srk_conv.h"
#include "srk_fma_peak.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double ceiling_gflops(void) {
    float out[SRK_FMA_PEAK_CHAINS];
    double best = 0;
    /* the kernels' widest vectors: AVX-512 where SRK_ISA_AUTO runs that conv kernel */
    const int wide = srk_isa_uses_avx512(SRK_ISA_AUTO);
    for (int r = 0; r < 5; r++) {
        const uint64_t it = 20000000;
        const double t0 = now();
        if ((wide ? srk_fma_peak_loop512(it, 0.999f, 0.001f, out) : srk_fma_peak_loop(it, 0.999f, 0.001f, out)) != SRK_OK) return 0;
        const double g = (wide ? 32.0 : 16.0) * SRK_FMA_PEAK_CHAINS * (double)it / (now() - t0) * 1e-9;
        if (g > best) best = g;
    }
    return best;
}

typedef struct { const char *name; int k; int nparts; int parts[8]; int cout; int prelu; } layer_t;

static int cmp(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const int W = 512, H = argc > 1 ? atoi(argv[1]) : 64, runs = 9;
    const layer_t layers[] = {
        {"CNN1 1->32", 3, 1, {1}, 32, 1},       {"CNN2 32->26", 3, 1, {32}, 26, 1},
        {"CNN3 26->22", 3, 1, {26}, 22, 1},     {"CNN4 22->18", 3, 1, {22}, 18, 1},
        {"CNN5 18->14", 3, 1, {18}, 14, 1},     {"CNN6 14->11", 3, 1, {14}, 11, 1},
        {"CNN7 11->8", 3, 1, {11}, 8, 1},
        {"A1 131->24 1x1", 1, 7, {32, 26, 22, 18, 14, 11, 8}, 24, 1},
        {"B1 131->8 1x1", 1, 7, {32, 26, 22, 18, 14, 11, 8}, 8, 1},
        {"B2 8->8", 3, 1, {8}, 8, 1},           {"Up 32->4", 3, 2, {8, 24}, 4, 0},
        {"A1 one part", 1, 1, {131}, 24, 1}, {"B1 one part", 1, 1, {131}, 8, 1}, {"A1 parts of 8s", 1, 7, {32, 32, 24, 16, 16, 8, 8}, 24, 1},
        {"B1 parts of 8s", 1, 7, {32, 32, 24, 16, 16, 8, 8}, 8, 1},
    };
    const int nl = (int)(sizeof layers / sizeof layers[0]);
    const double ceil1 = ceiling_gflops();
    printf("FMA ceiling (1 thread, register-only %s loop): %.1f GFLOP/s; strip %dx%d, median of %d\n", srk_isa_uses_avx512(SRK_ISA_AUTO) ? "AVX-512" : "AVX2", ceil1, W, H, runs);
    double tot_t = 0, tot_f = 0;
    srk_conv_scratch *scratch = srk_conv_scratch_new();
    for (int l = 0; l < nl; l++) {
        const layer_t *L = &layers[l];
        int cin = 0;
        for (int s = 0; s < L->nparts; s++) cin += L->parts[s];
        const int pad = L->k / 2, pw = W + 2 * pad, ph = H + 2 * pad;
        float *in = calloc((size_t)pw * ph * cin, sizeof(float));
        float *out = calloc((size_t)W * H * L->cout, sizeof(float));
        const size_t nw = (size_t)L->k * L->k * cin * L->cout;
        float *hwio = malloc(nw * sizeof(float));
        srand(l + 1);
        for (size_t i = 0; i < nw; i++) hwio[i] = (float)((double)rand() / RAND_MAX) - 0.5f;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                for (int c = 0; c < cin; c++) in[((size_t)(y + pad) * pw + x + pad) * cin + c] = (float)((double)rand() / RAND_MAX);
        const size_t cpad = srk_conv_padded_cout(L->cout);
        float *packed = malloc(srk_conv_packed_size(L->k, cin, L->cout) * sizeof(float));
        srk_conv_pack(L->k, cin, L->cout, hwio, packed);
        float *bias = calloc(cpad, sizeof(float)), *alpha = calloc(cpad, sizeof(float));
        for (size_t i = 0; i < cpad; i++) alpha[i] = 0.1f;
        srk_conv_layer layer = {L->k, cin, L->cout, packed, bias, L->prelu ? alpha : NULL, 1};
        srk_conv_narrow nar = {0}, *np = NULL;
        const int first = srk_conv_narrow_first(L->k, L->parts, L->nparts, L->cout);
        float *nw_ = NULL, *mw = NULL;
        if (first >= 0) {
            nw_ = malloc(srk_conv_narrow_size(L->k, L->parts, L->nparts, L->cout, first) * sizeof(float));
            srk_conv_narrow_pack(L->k, L->parts, L->nparts, L->cout, first, hwio, nw_);
            if (first > 0) {
                mw = malloc(srk_conv_packed_size(L->k, cin, first) * sizeof(float));
                srk_conv_pack_main(L->k, cin, L->cout, first, hwio, mw);
            }
            nar = (srk_conv_narrow){nw_, srk_conv_narrow_chunks(L->k, L->parts, L->nparts), first, mw};
            np = &nar;
        }
        srk_input parts[8];
        int off = 0;
        for (int s = 0; s < L->nparts; s++) {
            parts[s] = (srk_input){in + ((size_t)pad * pw + pad) * cin + off, (ptrdiff_t)pw * cin, cin, L->parts[s]};
            off += L->parts[s];
        }
        double t[16];
        for (int r = 0; r < runs; r++) {
            const double t0 = now();
            if (srk_conv_rows(&layer, np, SRK_ISA_AUTO, parts, L->nparts, out, (ptrdiff_t)W * L->cout, L->cout, W, 0, H,
                              scratch) != SRK_OK) { fprintf(stderr, "%s: srk_conv_rows failed\n", L->name); return 1; }
            t[r] = now() - t0;
        }
        qsort(t, runs, sizeof t[0], cmp);
        const double flops = 2.0 * L->k * L->k * cin * L->cout * W * H;
        tot_t += t[runs / 2];
        tot_f += flops;
        printf("%-16s %-10s %8.3f ms %7.1f GFLOP/s %5.1f%%\n", L->name,
               first < 0 ? "blocks" : first == 0 ? "narrow" : "tail", 1e3 * t[runs / 2], flops / t[runs / 2] * 1e-9,
               100 * flops / t[runs / 2] * 1e-9 / ceil1);
        free(in); free(out); free(hwio); free(packed); free(bias); free(alpha); free(nw_); free(mw);
    }
    printf("%-27s %8.3f ms %7.1f GFLOP/s %5.1f%%\n", "all", 1e3 * tot_t, tot_f / tot_t * 1e-9, 100 * tot_f / tot_t * 1e-9 / ceil1);
    srk_conv_scratch_free(scratch);
    return 0;
}
