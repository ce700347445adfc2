import SRCore
import CKernels

/// Single-op entry points to the C kernels on dense HWC arrays, for tests and tools.
/// (The network itself runs whole plans; see `ForwardPass`.)
package enum KernelOps {
    /// Which kernel implementation to use.
    package enum ISA: Sendable {
        /// AVX2+FMA when the CPU has it, else portable.
        case auto
        /// The portable C kernels.
        case portable
        /// The AVX2+FMA kernels (portable when the CPU lacks them; see `hasAVX2`).
        case avx2
        /// The AVX-512 conv kernel (AVX2 when the CPU lacks it; see `hasAVX512`).
        case avx512
        var raw: Int32 {
            switch self {
            case .auto: Int32(SRK_ISA_AUTO)
            case .portable: Int32(SRK_ISA_PORTABLE)
            case .avx2: Int32(SRK_ISA_AVX2)
            case .avx512: Int32(SRK_ISA_AVX512)
            }
        }
    }

    /// Whether `.avx512` runs the AVX-512 conv kernel on this CPU.
    package static var hasAVX512: Bool { srk_isa_uses_avx512(Int32(SRK_ISA_AVX512)) != 0 }

    /// Whether `.auto` runs the AVX2+FMA kernels on this CPU.
    package static var hasAVX2: Bool { srk_isa_uses_avx2(Int32(SRK_ISA_AUTO)) != 0 }

    /// SAME convolution of a dense HWC input with an HWIO kernel, + bias, then PReLU if `alpha`
    /// is non-empty. Returns dense HWC `[height, width, cout]`. Uses the kernel the network would
    /// use for this shape (including the narrow-layer kernel for cout <= 8).
    package static func conv(_ input: [Float], height: Int, width: Int, cin: Int,
                             kernel: [Float], k: Int, cout: Int, bias: [Float] = [], alpha: [Float] = [],
                             isa: ISA = .auto, threads: Int = 1) throws -> [Float] {
        guard input.count == height * width * cin, kernel.count == k * k * cin * cout,
              bias.isEmpty || bias.count == cout, alpha.isEmpty || alpha.count == cout, k % 2 == 1 else {
            throw SRError(.shapeMismatch, "KernelOps.conv: inconsistent shapes")
        }
        let packed = try PackedConv(name: "conv", k: k, cin: cin, cout: cout, kernel: kernel, bias: bias,
                                    alpha: alpha.isEmpty ? nil : alpha, inputParts: [cin])
        let src = try FeatureMap(height: height, width: width, channels: cin, pad: k / 2, name: "conv input")
        let dst = try FeatureMap(height: height, width: width, channels: cout, pad: 0, name: "conv output")
        input.withUnsafeBufferPointer { p in
            for y in 0..<height {
                (src.origin + y * src.rowStride).update(from: p.baseAddress! + y * width * cin, count: width * cin)
            }
        }
        var part = srk_input(base: UnsafePointer(src.origin), rs: src.rowStride, ps: src.channels, channels: Int32(cin))
        try withUnsafePointer(to: &part) { parts in
            var st = srk_step()
            st.kind = Int32(SRK_STEP_CONV)
            st.rows = Int32(height)
            st.width = Int32(width)
            st.layer = UnsafePointer(packed.layer)
            st.narrow = packed.narrowLayer.map { UnsafePointer($0) }
            st.inputs = parts
            st.ninputs = 1
            st.out = dst.origin
            st.out_rs = dst.rowStride
            st.out_ps = dst.channels
            try checkKernelStatus(srk_run_plan(&st, 1, Int32(threads), isa.raw, nil), "KernelOps.conv \(k)x\(k) \(cin) -> \(cout)")
        }
        return withExtendedLifetime((packed, src)) { dst.extract() }
    }

    /// TF depth_to_space (DCR order) of a dense HWC `[height, width, channels]` array.
    package static func depthToSpace(_ input: [Float], height: Int, width: Int, channels: Int, block: Int) throws -> [Float] {
        guard block >= 1, channels % (block * block) == 0, input.count == height * width * channels else {
            throw SRError(.shapeMismatch, "depthToSpace: [\(height), \(width), \(channels)] with block \(block)")
        }
        let c = channels / (block * block)
        var out = [Float](repeating: 0, count: input.count)
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                srk_depth_to_space_rows(i.baseAddress, width * channels, channels, o.baseAddress,
                                        width * block * c, c, Int32(width), Int32(block), Int32(c), 0, Int32(height))
            }
        }
        return out
    }
}
