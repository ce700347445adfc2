import CKernels

/// The nonlinearity after the feature, A1, B1 and B2 convs (docs/techniques.md "Knobs").
///
/// `.prelu` (the reference) has learned per-channel slopes stored as the layers' `alpha` tensors and
/// is fused into the conv kernels; relu and leaky relu are PReLUs with fixed slopes (`ActivationKnob`).
/// The others have no parameters: those layers have no `alpha` tensor, the engine runs an activation
/// step after their conv, and the weights file records the choice (`activation`, format_version 3.0).
public enum DCSCNActivation: String, CaseIterable, Equatable, Sendable {
    /// PReLU (learned or fixed slopes).
    case prelu
    /// Hyperbolic tangent.
    case tanh
    /// ELU with alpha 1: `x > 0 ? x : exp(x) - 1`.
    case elu
    /// SELU (Klambauer et al. 2017): `1.0507 * (x > 0 ? x : 1.6733 * (exp(x) - 1))`.
    case selu

    /// The SRK_ACT_* kind of the C kernels (srk_act.h); SRK_ACT_NONE for PReLU (fused into the conv).
    package var kernelKind: Int32 {
        switch self {
        case .prelu: return Int32(SRK_ACT_NONE)
        case .tanh: return Int32(SRK_ACT_TANH)
        case .elu: return Int32(SRK_ACT_ELU)
        case .selu: return Int32(SRK_ACT_SELU)
        }
    }
}
