/// `sr train --tb-histograms`: per layer, the L2 norm of the last step's kernel gradient (after L2
/// decay and clipping) as a TensorBoard scalar and its values as a histogram (docs/lab.md).
enum GradientSummary {
    static func write(_ trainer: Trainer, to events: TensorBoardWriter) {
        let g = trainer.grads
        for e in trainer.layout.entries {
            let k = Array(g[e.kernel])
            let norm = k.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            events.scalar("gradients/\(e.spec.name)/norm", norm, step: trainer.step)
            events.histogram("gradients/\(e.spec.name)/kernel", k, step: trainer.step)
        }
    }
}
