/* Plan executor: runs row-parallel steps on a group of pthreads with a barrier between steps.
   Its scratch (one srk_conv_scratch per thread and the per-step row counters) is allocated once per
   srk_run_plan call, so the conv kernels never allocate per chunk of rows. */
#include "conv_internal.h"
#include "alloc_internal.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* A reusable barrier whose participant count is fixed only after the threads have been started
   (so a failed pthread_create just means fewer participants). */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int count, waiting;
    unsigned long generation;
} barrier_t;

static void barrier_wait(barrier_t *b) {
    pthread_mutex_lock(&b->mu);
    unsigned long gen = b->generation;
    if (++b->waiting == b->count) {
        b->waiting = 0;
        b->generation++;
        pthread_cond_broadcast(&b->cv);
    } else {
        while (gen == b->generation) pthread_cond_wait(&b->cv, &b->mu);
    }
    pthread_mutex_unlock(&b->mu);
}

typedef struct {
    const srk_step *steps;
    int nsteps, threads, isa;
    barrier_t barrier;
    atomic_int *next;            /* per step: next chunk of rows to hand out */
    srk_conv_scratch *scratch;   /* one per thread */
    atomic_int status;           /* first failure of a step (SRK_OK while none) */
    atomic_int failed_step;
} plan_ctx;

static int run_step(const srk_step *s, int isa, int y0, int y1, srk_conv_scratch *scratch) {
    switch (s->kind) {
    case SRK_STEP_CONV:
        return srk_conv_rows(s->layer, s->narrow, isa, s->inputs, s->ninputs, s->out, s->out_rs, s->out_ps,
                             s->width, y0, y1, scratch);
    case SRK_STEP_D2S:
        srk_depth_to_space_rows(s->in, s->in_rs, s->in_ps, s->out, s->out_rs, s->out_ps,
                                s->width, s->block, s->channels, y0, y1);
        return SRK_OK;
    case SRK_STEP_ADD:
        srk_add_rows(s->in, s->in_rs, s->in2, s->in2_rs, s->out, s->out_rs, s->width, y0, y1);
        return SRK_OK;
    case SRK_STEP_ACT:
        srk_act_rows(s->act, s->out, s->out_rs, s->out_ps, s->width, s->channels, y0, y1, isa);
        return SRK_OK;
    default:
        return SRK_EINVAL;
    }
}

/* Checks one step before the plan runs (so an inconsistent plan writes nothing); `scratch` is
   only used to validate a conv layer's input parts. */
static int check_step(const srk_step *s, srk_conv_scratch *scratch) {
    if (s->rows < 0 || s->width < 0 || !s->out) return SRK_EINVAL;
    switch (s->kind) {
    case SRK_STEP_CONV:
        return srk_tapsegs_init(&scratch->ts, s->layer, s->inputs, s->ninputs);
    case SRK_STEP_D2S:
        return (s->in && s->block >= 1 && s->channels >= 1) ? SRK_OK : SRK_EINVAL;
    case SRK_STEP_ADD:
        return (s->in && s->in2) ? SRK_OK : SRK_EINVAL;
    case SRK_STEP_ACT:
        return (srk_act_valid(s->act) && s->channels >= 1) ? SRK_OK : SRK_EINVAL;
    default:
        return SRK_EINVAL;
    }
}

/* Records the first failing step (the others keep going through the barriers, so no thread is
   left waiting; their rows no longer matter). */
static void record(plan_ctx *ctx, int rc, int step) {
    if (rc == SRK_OK) return;
    int expected = SRK_OK;
    if (atomic_compare_exchange_strong(&ctx->status, &expected, rc))
        atomic_store(&ctx->failed_step, step);
}

/* Every thread takes chunks of rows of each step from a shared counter until none are left (so a
   descheduled thread on a busy machine delays the others by one chunk at most), then waits at the
   barrier. Which thread computes a row never changes its value. The first barrier wait also
   publishes the final thread count. */
static void run_share(plan_ctx *ctx, int t) {
    if (t > 0 || ctx->threads > 1) barrier_wait(&ctx->barrier);
    const int T = ctx->threads;
    srk_conv_scratch *scratch = &ctx->scratch[t];
    for (int i = 0; i < ctx->nsteps; i++) {
        const srk_step *s = &ctx->steps[i];
        const srk_step *pair = (s->fuse_next && i + 1 < ctx->nsteps && ctx->steps[i + 1].rows == s->rows)
            ? &ctx->steps[i + 1] : NULL;
        int chunk = s->rows / (T * 8);
        if (pair && chunk > 2) chunk = 2;   /* keep the shared input rows in L2 between the two */
        if (chunk < 1) chunk = 1;
        if (T == 1) {
            for (int y0 = 0; y0 < s->rows; y0 += (pair ? chunk : s->rows)) {
                const int y1 = pair ? (y0 + chunk < s->rows ? y0 + chunk : s->rows) : s->rows;
                record(ctx, run_step(s, ctx->isa, y0, y1, scratch), i);
                if (pair) record(ctx, run_step(pair, ctx->isa, y0, y1, scratch), i + 1);
            }
        } else {
            for (;;) {
                const long c = atomic_fetch_add_explicit(&ctx->next[i], 1, memory_order_relaxed);
                const long y0 = c * chunk;
                if (y0 >= s->rows) break;
                const long y1 = y0 + chunk < s->rows ? y0 + chunk : s->rows;
                record(ctx, run_step(s, ctx->isa, (int)y0, (int)y1, scratch), i);
                if (pair) record(ctx, run_step(pair, ctx->isa, (int)y0, (int)y1, scratch), i + 1);
            }
            barrier_wait(&ctx->barrier);
        }
        if (pair) i++;
    }
}

typedef struct { plan_ctx *ctx; int t; } worker_arg;

static void *worker(void *p) {
    worker_arg *a = (worker_arg *)p;
    run_share(a->ctx, a->t);
    return NULL;
}

#define SRK_MAX_THREADS 256

/* Frees the plan's scratch and returns its status (and the failing step). */
static int finish(plan_ctx *ctx, void *mem, int *failed_step) {
    free(mem);
    const int rc = atomic_load(&ctx->status);
    if (rc != SRK_OK && failed_step) *failed_step = atomic_load(&ctx->failed_step);
    return rc;
}

int srk_run_plan(const srk_step *steps, int nsteps, int threads, int isa, int *failed_step) {
    if (failed_step) *failed_step = -1;
    if (nsteps < 0 || (nsteps > 0 && !steps) || !srk_isa_valid(isa)) return SRK_EINVAL;
    if (threads < 1) threads = 1;
    if (threads > SRK_MAX_THREADS) threads = SRK_MAX_THREADS;
    /* One allocation: the per-thread scratch, then the per-step counters. */
    const size_t scratch_bytes = sizeof(srk_conv_scratch) * (size_t)threads;
    void *mem = srk_alloc(scratch_bytes + sizeof(atomic_int) * (size_t)(nsteps > 0 ? nsteps : 1));
    if (!mem) return SRK_ENOMEM;
    plan_ctx ctx;
    ctx.steps = steps;
    ctx.nsteps = nsteps;
    ctx.threads = threads;
    ctx.isa = isa;
    ctx.scratch = (srk_conv_scratch *)mem;
    ctx.next = (atomic_int *)((char *)mem + scratch_bytes);
    for (int i = 0; i < nsteps; i++) atomic_init(&ctx.next[i], 0);
    atomic_init(&ctx.status, SRK_OK);
    atomic_init(&ctx.failed_step, -1);
    for (int i = 0; i < nsteps; i++) {
        const int rc = check_step(&steps[i], &ctx.scratch[0]);
        if (rc != SRK_OK) {
            if (failed_step) *failed_step = i;
            free(mem);
            return rc;
        }
    }
    if (threads == 1) {
        run_share(&ctx, 0);
        return finish(&ctx, mem, failed_step);
    }
    pthread_mutex_init(&ctx.barrier.mu, NULL);
    pthread_cond_init(&ctx.barrier.cv, NULL);
    ctx.barrier.waiting = 0;
    ctx.barrier.generation = 0;
    pthread_t tid[SRK_MAX_THREADS];
    worker_arg args[SRK_MAX_THREADS];
    int started = 0;
    /* Workers block in their first barrier wait until the caller has fixed the count. */
    pthread_mutex_lock(&ctx.barrier.mu);
    ctx.barrier.count = 1 << 30;
    pthread_mutex_unlock(&ctx.barrier.mu);
    for (int t = 1; t < threads; t++) {
        args[t].ctx = &ctx;
        args[t].t = t;
        if (pthread_create(&tid[t], NULL, worker, &args[t]) != 0) break;   /* run with fewer threads */
        started++;
    }
    pthread_mutex_lock(&ctx.barrier.mu);
    ctx.threads = started + 1;
    ctx.barrier.count = started + 1;
    pthread_mutex_unlock(&ctx.barrier.mu);
    /* The caller's first wait completes the start barrier (count may now be reached). */
    run_share(&ctx, 0);
    for (int t = 1; t <= started; t++) pthread_join(tid[t], NULL);
    pthread_cond_destroy(&ctx.barrier.cv);
    pthread_mutex_destroy(&ctx.barrier.mu);
    return finish(&ctx, mem, failed_step);
}
