import SRSupport

/// Statistics of one layer's output over every pixel of every image of a `sr diagnose` run
/// (docs/lab.md, "Diagnose").
public struct LayerActivationStats: Sendable, Equatable {
    /// The tensor's name (`CNN1`, `A1`, `B1`, `B2`, `Up-PS`, `R-CNN1`, `output`, ...).
    public var name: String
    /// Channels of the tensor.
    public var channels: Int
    /// Values seen (pixels x channels, summed over images).
    public var count: Int
    /// Smallest and largest value.
    public var min: Double, max: Double
    /// Mean and population standard deviation (accumulated in double).
    public var mean: Double, std: Double
    /// Fraction of values < 0.
    public var fractionNegative: Double
    /// Channels whose output is ≤ 0 on every pixel of every image, or the same value everywhere
    /// (a channel that never passes a signal on), in increasing order.
    public var deadChannels: [Int]
}

/// Accumulates `LayerActivationStats` tensor by tensor, image by image.
///
/// Per channel it keeps min, max and whether any value was > 0; per layer the double sum, sum of
/// squares and negative count. A channel is dead when no value was > 0, or when its min equals its max.
public struct ActivationStatistics: Sendable {
    private struct Layer: Sendable {
        var name: String
        var channels: Int
        var count = 0
        var sum = 0.0, sumSquares = 0.0
        var negative = 0
        var channelMin: [Float], channelMax: [Float]
        var channelPositive: [Bool]
    }
    private var layers: [Layer] = []

    /// An empty accumulator.
    public init() {}

    /// Tensors of `DCSCN.intermediateTensors` that are not rearrangements of another one
    /// (`Concat2` is B2 and A1 side by side, `.../DepthToSpace` the shuffled Up-PS conv output).
    public static func isReported(_ name: String) -> Bool {
        name != "Concat2" && !name.hasSuffix("/DepthToSpace")
    }

    /// Adds one image's value of the tensor `name` (dense HWC, `channels` innermost).
    /// Tensors must come in the same order for every image.
    /// - Throws: `.shapeMismatch` when the name or channel count differs from the first image's.
    public mutating func add(name: String, channels: Int, values: [Float], image: Int) throws {
        guard channels >= 1, values.count % channels == 0 else {
            throw SRError(.shapeMismatch, "activation \(name): \(values.count) values are not a multiple of \(channels) channels")
        }
        if image == 0 {
            layers.append(Layer(name: name, channels: channels,
                                channelMin: Array(repeating: .infinity, count: channels),
                                channelMax: Array(repeating: -.infinity, count: channels),
                                channelPositive: Array(repeating: false, count: channels)))
        }
        guard let li = layers.firstIndex(where: { $0.name == name }), layers[li].channels == channels else {
            throw SRError(.shapeMismatch, "activation \(name): not in the first image's tensors with \(channels) channels")
        }
        var l = layers[li]
        var s = 0.0, q = 0.0, neg = 0
        values.withUnsafeBufferPointer { v in
            var i = 0
            while i < v.count {
                for c in 0..<channels {
                    let x = v[i + c]
                    let d = Double(x)
                    s += d
                    q += d * d
                    if x < 0 { neg += 1 }
                    if x > 0 { l.channelPositive[c] = true }
                    if x < l.channelMin[c] { l.channelMin[c] = x }
                    if x > l.channelMax[c] { l.channelMax[c] = x }
                }
                i += channels
            }
        }
        l.sum += s
        l.sumSquares += q
        l.negative += neg
        l.count += values.count
        layers[li] = l
    }

    /// The statistics of every layer added, in order.
    public var results: [LayerActivationStats] {
        layers.map { l in
            let n = Double(Swift.max(1, l.count))
            let mean = l.sum / n
            let variance = Swift.max(0, l.sumSquares / n - mean * mean)
            let dead = (0..<l.channels).filter { !l.channelPositive[$0] || l.channelMin[$0] == l.channelMax[$0] }
            return LayerActivationStats(name: l.name, channels: l.channels, count: l.count,
                                        min: Double(l.channelMin.min() ?? 0), max: Double(l.channelMax.max() ?? 0),
                                        mean: mean, std: variance.squareRoot(),
                                        fractionNegative: Double(l.negative) / n, deadChannels: dead)
        }
    }
}
