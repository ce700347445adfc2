import Dispatch
import Testing
@testable import SRCore
import SRTestSupport

/// The whole network against a naive float64 implementation written from docs/reference.md §3–§4, for configs
/// the golden data does not cover (L12 widths, x4 with wide shufflers, 5x5 kernels), plus
/// determinism across thread counts and kernel ISAs.
@Suite struct ForwardReferenceTests {
    /// Dense HWC float64 tensor.
    struct T { var h, w, c: Int; var v: [Double] }

    static func conv(_ x: T, _ p: ConvParameters, _ s: DCSCNLayerSpec) -> T {
        let k = s.kernel, r = k / 2, co = s.outChannels
        var out = T(h: x.h, w: x.w, c: co, v: [Double](repeating: 0, count: x.h * x.w * co))
        for y in 0..<x.h { for xx in 0..<x.w { for o in 0..<co {
            var acc = s.hasBias ? Double(p.bias[o]) : 0
            for ky in 0..<k { for kx in 0..<k {
                let iy = y + ky - r, ix = xx + kx - r
                guard iy >= 0, iy < x.h, ix >= 0, ix < x.w else { continue }
                for c in 0..<x.c { acc += x.v[(iy * x.w + ix) * x.c + c] * Double(p.kernel[((ky * k + kx) * x.c + c) * co + o]) }
            }}
            if s.hasPReLU && acc < 0 { acc *= Double(p.alpha[o]) }
            out.v[(y * x.w + xx) * co + o] = acc
        }}}
        return out
    }

    static func concat(_ a: T, _ b: T) -> T {
        var v: [Double] = []
        for p in 0..<(a.h * a.w) { v += a.v[(p * a.c)..<((p + 1) * a.c)]; v += b.v[(p * b.c)..<((p + 1) * b.c)] }
        return T(h: a.h, w: a.w, c: a.c + b.c, v: v)
    }

    static func d2s(_ x: T, _ b: Int) -> T {
        let c = x.c / (b * b)
        var out = T(h: x.h * b, w: x.w * b, c: c, v: [Double](repeating: 0, count: x.v.count))
        for y in 0..<x.h { for xx in 0..<x.w { for i in 0..<b { for j in 0..<b { for k in 0..<c {
            out.v[((y * b + i) * out.w + xx * b + j) * c + k] = x.v[(y * x.w + xx) * x.c + (i * b + j) * c + k]
        }}}}}
        return out
    }

    static func reference(_ p: DCSCNParameters, lr: Image, bicubic: Image) -> [Double] {
        let specs = p.config.layers
        var h = T(h: lr.height, w: lr.width, c: 1, v: lr.pixels.map(Double.init))
        var cat: T? = nil, a1: T? = nil, b1: T? = nil, cur = h
        for (s, w) in zip(specs, p.layers) {
            switch s.role {
            case .feature:
                h = conv(h, w, s)
                cat = cat.map { concat($0, h) } ?? h
            case .ninA: a1 = conv(cat!, w, s)
            case .ninB1: b1 = conv(cat!, w, s)
            case .ninB2: cur = concat(conv(b1!, w, s), a1!)
            case .upsample(_, let b): cur = d2s(conv(cur, w, s), b)
            case .reconstruct: cur = conv(cur, w, s)
            }
        }
        return zip(cur.v, bicubic.pixels).map { $0 + Double($1) }
    }

    static func randomImage(width: Int, height: Int, seed: UInt64) -> Image {
        var g = SeededGenerator(seed: seed)
        return Image(width: width, height: height, pixels: (0..<(width * height)).map { _ in Float(128 + 60 * g.nextNormal()) })
    }

    /// Random but non-trivial weights: He init with random biases and PReLU slopes.
    static func parameters(_ config: DCSCNConfig, seed: UInt64) throws -> DCSCNParameters {
        var p = try DCSCNParameters.heInitialized(config: config, seed: seed)
        var g = SeededGenerator(seed: seed ^ 0xABCD)
        for i in p.layers.indices {
            p = try p.replacingLayer(i) { layer in
                layer.bias = layer.bias.map { _ in Float(g.nextNormal() * 0.5) }
                layer.alpha = layer.alpha.map { _ in Float(0.1 + 0.2 * g.nextNormal()) }
            }
        }
        return p
    }

    static let configs: [(String, DCSCNConfig, Int, Int)] = [
        ("compact x2", .compact(scale: 2), 9, 7),
        ("compact x3", .compact(scale: 3), 1, 1),
        ("compact x4", .compact(scale: 4), 5, 6),
        ("L12 x2", .standard(scale: 2), 4, 3),
        ("L12 x4", .standard(scale: 4), 3, 2),
        ("L3 k5 x3 shuffler 0", DCSCNConfig(scale: 3, featureWidths: [9, 5, 3], ninA: 4, ninB: 3, shufflerFilters: 0, kernelSize: 5), 6, 5),
        ("L2 k1 x2", DCSCNConfig(scale: 2, featureWidths: [3, 2], ninA: 2, ninB: 2, shufflerFilters: 1, kernelSize: 1), 5, 3),
        ("L4 wide-NIN x4", DCSCNConfig(scale: 4, featureWidths: [40, 33, 17, 9], ninA: 20, ninB: 12, shufflerFilters: 2), 4, 5),
    ]

    @Test(arguments: 0..<configs.count)
    func matchesFloat64Reference(index: Int) throws {
        let (name, config, w, h) = Self.configs[index]
        let params = try Self.parameters(config, seed: UInt64(index + 1))
        let net = try DCSCN(parameters: params)
        let lr = Self.randomImage(width: w, height: h, seed: 5)
        let bic = Self.randomImage(width: w * config.scale, height: h * config.scale, seed: 6)
        let want = Self.reference(params, lr: lr, bicubic: bic)
        for isa in [Int32(0), 1] {
            let got = try net.forward(lr: lr, bicubic: bic, threads: 2, isa: isa)
            #expect(got.pixels.count == want.count)
            var d = 0.0
            for i in want.indices { d = max(d, abs(Double(got.pixels[i]) - want[i]) / (1 + abs(want[i]))) }
            #expect(d <= 1e-4, "\(name) isa \(isa): relative diff \(d)")
        }
    }

    @Test func threadCountsGiveIdenticalOutput() throws {
        for config in [DCSCNConfig.compact(scale: 2), .compact(scale: 4), .standard(scale: 3)] {
            let net = try DCSCN(parameters: Self.parameters(config, seed: 9))
            let lr = Self.randomImage(width: 11, height: 13, seed: 1)
            let bic = Self.randomImage(width: 11 * config.scale, height: 13 * config.scale, seed: 2)
            let one = try net.forward(lr: lr, bicubic: bic, threads: 1)
            for t in [2, 3, 7] { #expect(try net.forward(lr: lr, bicubic: bic, threads: t) == one, "x\(config.scale) threads \(t)") }
        }
    }

    /// Reused scratch (same size, transposed size, another size) gives what a fresh network gives.
    @Test func scratchReuseMatchesFreshNetwork() throws {
        let params = try Self.parameters(.compact(scale: 3), seed: 11)
        let shared = try DCSCN(parameters: params)
        for (i, (w, h)) in [(6, 5), (6, 5), (5, 6), (6, 5), (3, 8), (8, 3)].enumerated() {
            let lr = Self.randomImage(width: w, height: h, seed: UInt64(20 + i))
            let bic = Self.randomImage(width: w * 3, height: h * 3, seed: UInt64(40 + i))
            let fresh = try DCSCN(parameters: params).forward(lr: lr, bicubic: bic)
            #expect(try shared.forward(lr: lr, bicubic: bic, threads: 2) == fresh, "call \(i)")
        }
    }

    /// One network shared by concurrent callers (sizes alternating, so the scratch cache is
    /// contended) gives every caller its own correct result.
    @Test func concurrentCallersShareOneNetwork() throws {
        let params = try Self.parameters(.compact(scale: 2), seed: 12)
        let net = try DCSCN(parameters: params)
        let sizes = [(7, 5), (5, 7), (9, 4)]
        let inputs = sizes.enumerated().map { i, wh in
            (Self.randomImage(width: wh.0, height: wh.1, seed: UInt64(60 + i)),
             Self.randomImage(width: wh.0 * 2, height: wh.1 * 2, seed: UInt64(70 + i)))
        }
        let want = try inputs.map { try DCSCN(parameters: params).forward(lr: $0.0, bicubic: $0.1) }
        let ok = LockedValue([Bool](repeating: false, count: 24))
        DispatchQueue.concurrentPerform(iterations: 24) { i in
            let (lr, bic) = inputs[i % 3]
            let same = (try? net.forward(lr: lr, bicubic: bic, threads: 1 + i % 2)) == want[i % 3]
            ok.withLock { $0[i] = same }
        }
        let results = ok.withLock { $0 }
        for i in 0..<24 { #expect(results[i], "call \(i)") }
    }

    @Test func rejectsBadInputs() throws {
        let net = try DCSCN(parameters: Self.parameters(.compact(scale: 2), seed: 3))
        let lr = Self.randomImage(width: 4, height: 4, seed: 1)
        #expect(throws: SRError.self) { try net.forward(lr: lr, bicubic: Self.randomImage(width: 7, height: 8, seed: 1)) }
        #expect(throws: SRError.self) { try net.forward(lr: Image(width: 4, height: 4, channels: 3), bicubic: Image(width: 8, height: 8)) }
        #expect(throws: SRError.self) { try net.forward(lr: Image(width: 0, height: 0), bicubic: Image(width: 0, height: 0)) }
    }
}
