import SRSupport
import SRModel

/// The transposed-convolution upsampler (`sr train --upsampler transposed --transposed-kernel K`,
/// docs/techniques.md "Knobs").
///
/// Every upsampler stage of factor `b` (x2: one stage, x3: one, x4: two x2 stages) is trained as a
/// stride-`b` transposed convolution with a `K x K` kernel `T` (HWIO: `T[p][q][ci][c]`, `ci` the
/// stage's LR channels, `c` its output channels), `K = b·k'` with `k'` odd and at most the network's
/// kernel size `k`. Convention (scatter form): LR pixel `(y, x)` adds `x[y, x, ci] · T[p][q][ci][c]`
/// to output pixel `(y·b + p − P, x·b + q − P)` with `P = b·(k' − 1)/2`, and the output keeps the
/// `b·H x b·W` pixels `0..<b·H`; that is PyTorch's `ConvTranspose2d(stride=b, padding=P)` (its output
/// size `(H−1)·b − 2P + K` is exactly `b·H`).
///
/// Writing `p = b·m + i` (`i < b`, `m < k'`) shows the transposed conv is exactly the stage's SAME
/// `k x k` conv to `b²·C` channels followed by depth_to_space (Shi et al. 2016):
/// `W[o + k'−1−m][o + k'−1−n][ci][(i·b + j)·C + c] = T[b·m + i][b·n + j][ci][c]`, `o = (k − k')/2`,
/// every other tap of `W` zero. The training graph and the inference engine run `W` unchanged; the
/// optimiser updates `T` (`toTransposed` before its step, `toPixelShuffle` after). The map is an
/// injective re-indexing, so its adjoint (the gradient of `T` from the graph's gradient of `W`) is
/// the same gather as `toTransposed`.
public struct TransposedUpsampler: Sendable {
    /// One upsampler stage: its layer, factor and the place of each `T` entry in the `W` slot.
    package struct Stage: Sendable {
        package let layer: Int
        package let block: Int
        package let inChannels: Int, channels: Int
        /// `map[t]` = offset in the layer's pixel-shuffle kernel of `T`'s entry `t` (HWIO order).
        package let map: [Int]
    }

    /// Kernel size `K` of every stage's transposed conv.
    public let kernel: Int
    package let stages: [Stage]

    /// The largest `K` with an exact pixel-shuffle equivalent for `config`: `b · kernelSize` of its
    /// first stage (the default of `--transposed-kernel`).
    public static func defaultKernel(_ config: DCSCNConfig) -> Int {
        (config.upsampleBlocks.first ?? config.scale) * config.kernelSize
    }

    /// The stages of `layout`'s upsampler as transposed convs with `K x K` kernels. Throws
    /// `.invalidArgument` unless `K = b·k'` with `k'` odd and at most the kernel size for every stage.
    public init(layout: ParameterLayout, kernel: Int) throws {
        var list: [Stage] = []
        for (l, e) in layout.entries.enumerated() {
            guard case .upsample(_, let b) = e.spec.role else { continue }
            let k = e.spec.kernel
            let kp = kernel / b
            guard kernel > 0, kernel % b == 0, kp % 2 == 1, kp <= k else {
                let ok = stride(from: 1, through: k, by: 2).map { String($0 * b) }.joined(separator: ", ")
                throw SRError(.invalidArgument, "transposed kernel \(kernel) does not fit the x\(b) upsampler stage \(e.spec.name) of kernel size \(k): K must be \(b)·k' with k' odd and at most \(k) (\(ok))")
            }
            let cin = e.spec.inChannels, c = e.spec.outChannels / (b * b)
            let map = Self.stageMap(block: b, kernel: kernel, convKernel: k, inChannels: cin, channels: c)
            list.append(Stage(layer: l, block: b, inChannels: cin, channels: c, map: map))
        }
        self.kernel = kernel
        stages = list
    }

    /// For a stride-`b` transposed conv with a `K x K` kernel (`K = b·k'`, `k'` odd, at most `k`) from
    /// `cin` to `c` channels: the offset in the equivalent `k x k x cin x b²·c` pixel-shuffle kernel of
    /// each transposed-kernel entry (HWIO order).
    package static func stageMap(block b: Int, kernel: Int, convKernel k: Int, inChannels cin: Int, channels c: Int) -> [Int] {
        let kp = kernel / b, o = (k - kp) / 2, cout = b * b * c
        var map = [Int](repeating: 0, count: kernel * kernel * cin * c)
        for p in 0..<kernel { for q in 0..<kernel { for ci in 0..<cin { for ch in 0..<c {
            let u = o + kp - 1 - p / b, v = o + kp - 1 - q / b
            let oc = ((p % b) * b + q % b) * c + ch
            map[((p * kernel + q) * cin + ci) * c + ch] = ((u * k + v) * cin + ci) * cout + oc
        } } } }
        return map
    }

    /// The pixel-shuffle kernel (`count` values, zero where `map` does not reach) of the transposed kernel `t`.
    package static func pixelShuffleKernel<F: FloatingPoint>(_ t: [F], map: [Int], count: Int) -> [F] {
        var w = [F](repeating: 0, count: count)
        for (i, m) in map.enumerated() { w[m] = t[i] }
        return w
    }

    /// The adjoint of `pixelShuffleKernel`: the gradient of `T` from the gradient `g` of `W`
    /// (also `T` from a `W` that `pixelShuffleKernel` made, the map being injective).
    package static func transposedKernel<F: FloatingPoint>(_ g: [F], map: [Int]) -> [F] {
        map.map { g[$0] }
    }

    /// Rewrites each stage's kernel slot of the graph-layout `v` (weights or gradients) into `T`
    /// order: the first `K·K·cin·C` values hold `T` (or its gradient), the rest are zero.
    public func toTransposed(_ v: inout [Float], layout: ParameterLayout) {
        for s in stages {
            let r = layout.entries[s.layer].kernel
            let t = Self.transposedKernel(Array(v[r]), map: s.map)
            for i in r { v[i] = 0 }
            for (i, x) in t.enumerated() { v[r.lowerBound + i] = x }
        }
    }

    /// The inverse of `toTransposed` on the slot: each stage's `T` back into its pixel-shuffle
    /// kernel (the taps outside the `k' x k'` centre zero).
    public func toPixelShuffle(_ v: inout [Float], layout: ParameterLayout) {
        for s in stages {
            let r = layout.entries[s.layer].kernel
            let w = Self.pixelShuffleKernel(Array(v[r.lowerBound..<(r.lowerBound + s.map.count)]), map: s.map, count: r.count)
            for (i, x) in w.enumerated() { v[r.lowerBound + i] = x }
        }
    }
}
