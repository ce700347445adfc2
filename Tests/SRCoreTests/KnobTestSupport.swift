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
