import CKernels
import SRSupport

/// The AVX2 kernels' second packing of one conv for a given split of its input into parts
/// (`srk_conv_narrow`): the whole of a narrow layer (cout <= 8), or the last 1...3 output channels
/// of a wider one with the others repacked without zero padding (`srk_conv_narrow_first`). The
/// descriptor points into storage owned by this object; `pack` refills it when the weights change
/// (the trainer repacks every step).
package final class NarrowPack {
    private let k: Int32, cin: Int32, cout: Int32, first: Int32
    private var parts: [Int32]
    private let weights: FloatBuffer
    private let mainWeights: FloatBuffer?
    /// The C descriptor at a stable address (valid while `self` is alive).
    package let descriptor: UnsafeMutablePointer<srk_conv_narrow>

    /// The packing of a `k` x `k`, `cin` -> `cout` conv whose input comes in `parts` (channels
    /// adding up to `cin`), or nil when the kernels do better with the plain packing alone.
    /// `name` names the layer in allocation errors.
    package init?(name: String, k: Int, cin: Int, cout: Int, parts: [Int]) throws {
        guard !parts.isEmpty, parts.allSatisfy({ $0 >= 0 }), parts.reduce(0, +) == cin, cin >= 1, cout >= 1 else { return nil }
        self.parts = parts.map { Int32($0) }
        self.k = Int32(k)
        self.cin = Int32(cin)
        self.cout = Int32(cout)
        let f = srk_conv_narrow_first(Int32(k), self.parts, Int32(parts.count), Int32(cout))
        guard f >= 0 else { return nil }
        first = f
        weights = try FloatBuffer(count: Int(srk_conv_narrow_size(Int32(k), self.parts, Int32(parts.count), Int32(cout), f)),
                                  what: "layer \(name) narrow weights")
        mainWeights = f > 0 ? try FloatBuffer(count: Int(srk_conv_packed_size(Int32(k), Int32(cin), f)),
                                              what: "layer \(name) weights without the narrow tail") : nil
        descriptor = .allocate(capacity: 1)
        descriptor.initialize(to: srk_conv_narrow(w: UnsafePointer(weights.base),
                                                  chunks: srk_conv_narrow_chunks(Int32(k), self.parts, Int32(parts.count)),
                                                  first: f, main: mainWeights.map { UnsafePointer($0.base) }))
    }

    /// Packs HWIO weights `[k][k][cin][cout]`.
    package func pack(_ hwio: UnsafePointer<Float>) {
        srk_conv_narrow_pack(k, parts, Int32(parts.count), cout, first, hwio, weights.base)
        if let m = mainWeights { srk_conv_pack_main(k, cin, cout, first, hwio, m.base) }
    }

    deinit { descriptor.deallocate() }
}
