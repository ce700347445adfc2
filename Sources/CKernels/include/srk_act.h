#ifndef SRCORE_SRK_ACT_H
#define SRCORE_SRK_ACT_H
/* The element-wise activations other than PReLU (docs/techniques.md "Knobs", `sr train --activation
   tanh|elu|selu`): one definition shared by the inference step (srk_act_rows) and the training passes
   (srt_nonlin_fwd/bwd), so the engine and the training graph compute the same floats from the same
   pre-activations. PReLU stays fused into the conv kernels (srk_conv_layer.alpha). */
#include <math.h>

enum { SRK_ACT_NONE = 0, SRK_ACT_TANH = 1, SRK_ACT_ELU = 2, SRK_ACT_SELU = 3 };

/* SELU's constants (Klambauer et al. 2017), rounded to float. */
#define SRK_SELU_LAMBDA 1.0507009873554805f
#define SRK_SELU_ALPHA 1.6732632423543772f

/* Whether `kind` is one of the SRK_ACT_* values above. */
static inline int srk_act_valid(int kind) { return kind >= SRK_ACT_NONE && kind <= SRK_ACT_SELU; }

/* f(x): tanh; ELU (alpha 1): x > 0 ? x : exp(x) - 1; SELU: lambda * (x > 0 ? x : alpha (exp(x) - 1)). */
static inline float srk_act_apply(int kind, float x) {
    switch (kind) {
    case SRK_ACT_TANH: return tanhf(x);
    case SRK_ACT_ELU: return x > 0.0f ? x : expm1f(x);
    case SRK_ACT_SELU: return SRK_SELU_LAMBDA * (x > 0.0f ? x : SRK_SELU_ALPHA * expm1f(x));
    default: return x;
    }
}

/* f'(x) (at 0 the left derivative of ELU/SELU, which is continuous there for ELU). */
static inline float srk_act_derivative(int kind, float x) {
    switch (kind) {
    case SRK_ACT_TANH: { const float t = tanhf(x); return 1.0f - t * t; }
    case SRK_ACT_ELU: return x > 0.0f ? 1.0f : expf(x);
    case SRK_ACT_SELU: return SRK_SELU_LAMBDA * (x > 0.0f ? 1.0f : SRK_SELU_ALPHA * expf(x));
    default: return 1.0f;
    }
}
#endif
