#if canImport(Glibc)
import Glibc
#endif
@testable import SRCore
import SRTestSupport

/// Reference networks and golden tensors for the forward-pass tests (data in ../shared).
enum ForwardFixtures {
    /// Checkpoint prefix of the c-DCSCN reference model for `scale`.
    static func checkpoint(scale: Int) -> String {
        let sc = scale == 2 ? "" : "_Sc\(scale)"
        return SharedData.path("reference/dcscn-tf/dcscn_L7_F32to8_G1.20\(sc)_NIN_A24_B8_PS_R1F32.ckpt")
    }

    private static let x2 = Result { try DCSCN(parameters: TFBundle.importDCSCN(prefix: checkpoint(scale: 2))) }
    private static let x3 = Result { try DCSCN(parameters: TFBundle.importDCSCN(prefix: checkpoint(scale: 3))) }
    private static let x4 = Result { try DCSCN(parameters: TFBundle.importDCSCN(prefix: checkpoint(scale: 4))) }

    /// The reference c-DCSCN for `scale` (loaded once per test process).
    static func network(scale: Int) throws -> DCSCN {
        switch scale {
        case 2: return try x2.get()
        case 3: return try x3.get()
        default: return try x4.get()
        }
    }

    /// `[H, W]` of a golden file, from manifest.json.
    static func shape(of file: String) -> [Int] { GoldenManifest.shared.shapes[file] ?? [] }

    /// A golden one-plane image.
    static func image(_ file: String) -> Image {
        let sh = shape(of: file)
        let px = SharedData.readF32("reference/golden/" + file)
        guard sh.count == 2, sh[0] * sh[1] == px.count else { return Image(width: 0, height: 0) }
        return Image(width: sh[1], height: sh[0], pixels: px)
    }

    /// Sorted file names in a golden folder.
    static func files(in folder: String) -> [String] {
        guard let d = opendir(SharedData.path("reference/golden/" + folder)) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    private static func readText(_ path: String) -> String {
        guard let f = fopen(path, "rb") else { return "" }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            bytes += buf[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Largest absolute difference (infinity when the counts differ).
    static func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        var m: Float = 0
        for i in a.indices { m = max(m, abs(a[i] - b[i])) }
        return m
    }
}

