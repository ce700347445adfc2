@testable import SRCore
import SRTestSupport

/// Shared check of the knob tests (docs/techniques.md "Knobs").
enum KnobTestSupport {
    /// Max |inference engine - training graph| over a random 9x7 LR for the exported parameters `p`
    /// and the graph-layout `weights` the trainer runs (the engine must run a knob model unchanged).
    static func engineVersusGraph(_ p: DCSCNParameters, weights: [Float]) throws -> Float {
        let h = 7, w = 9, s = p.config.scale
        var rng = SeededGenerator(seed: 5)
        let lr = Image(width: w, height: h, pixels: (0..<(h * w)).map { _ in Float(rng.nextUnit() * 255) })
        let bic = Resize.bicubic(lr, width: w * s, height: h * s)
        let g = try TrainingGraph(config: p.config, n: 1, h: h, w: w)
        g.lr.copy(from: lr.pixels); g.bic.copy(from: bic.pixels)
        try weights.withUnsafeBufferPointer { try g.forward($0.baseAddress!) }
        try weights.withUnsafeBufferPointer { try g.forward($0.baseAddress!) } // idempotent: inputs are not altered in place
        let engine = try DCSCN(parameters: p).forward(lr: lr, bicubic: bic, threads: 1)
        return zip(engine.pixels, g.out.array).map { abs($0 - $1) }.max() ?? .infinity
    }
}

extension KnobTestSupport {
    /// The graph case `c` against the float64 reference network: (max |graph forward - reference|,
    /// relative L2 error of the graph's gradients of `parameters` against central finite differences
    /// of the float64 loss with steps `relStep * max(1, |p|)`).
    static func graphVersusReference(_ c: TrainGraphTests.Case, parameters: (ParameterLayout.Entry) -> [Int],
                                     relStep: Double) throws -> (forward: Double, gradient: Double) {
        let layout = ParameterLayout(config: c.graph.config)
        var grads = [Float](repeating: 0, count: c.params.count)
        try c.params.withUnsafeBufferPointer { p in
            try c.graph.forward(p.baseAddress!)
            _ = c.graph.loss(l1: false, normaliser: c.graph.n * c.graph.hrH * c.graph.hrW)
            try grads.withUnsafeMutableBufferPointer { try c.graph.backward(p.baseAddress!, grads: $0.baseAddress!) }
        }
        let p64 = c.params.map(Double.init)
        let lrN = c.graph.h * c.graph.w, hrN = c.graph.hrH * c.graph.hrW
        let out = c.graph.out.array
        var forward = 0.0
        for i in 0..<c.graph.n {
            let ref = TrainReference.forward(config: c.graph.config, params: p64, lr: Array(c.lr[(i * lrN)..<((i + 1) * lrN)]),
                                             bic: Array(c.bic[(i * hrN)..<((i + 1) * hrN)]), h: c.graph.h, w: c.graph.w)
            for q in 0..<hrN { forward = max(forward, abs(Double(out[i * hrN + q]) - ref[q])) }
        }
        var num2 = 0.0, den2 = 0.0
        for e in layout.entries {
            for i in parameters(e) {
                let eps = relStep * max(1, abs(p64[i]))
                var plus = p64, minus = p64
                plus[i] += eps; minus[i] -= eps
                let fd = (TrainGraphTests.referenceLoss(c, params: plus, masks: nil)
                          - TrainGraphTests.referenceLoss(c, params: minus, masks: nil)) / (2 * eps)
                num2 += (Double(grads[i]) - fd) * (Double(grads[i]) - fd); den2 += fd * fd
            }
        }
        return (forward, (num2 / den2).squareRoot())
    }
}
