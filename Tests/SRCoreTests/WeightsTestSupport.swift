@testable import SRCore
import SRTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Test helpers of the formats area: temp files, raw byte I/O, and a reader for the golden `.npz`
/// files (uncompressed zip of `.npy` arrays written by numpy from `tf.train.load_checkpoint`).
enum FormatsTestSupport {
    /// A fresh private temp directory.
    static func makeTempDir(_ tag: String) -> String {
        TempDir.make(tag)
    }

    /// Removes a temp directory and the files in it (one level).
    static func removeDir(_ dir: String) { TempDir.remove(dir) }

    /// File names in a directory, sorted.
    static func listDir(_ dir: String) -> [String] {
        var out: [String] = []
        if let d = opendir(dir) {
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { out.append(name) }
            }
            closedir(d)
        }
        return out.sorted()
    }

    static func readBytes(_ path: String) -> [UInt8] {
        (try? TFBundle.readFile(path)) ?? []
    }

    static func writeBytes(_ bytes: [UInt8], to path: String) {
        guard let f = fopen(path, "wb") else { return }
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, f) }
        fclose(f)
    }

    /// Copies a checkpoint (index + data) into `dir`; returns the new prefix.
    static func copyCheckpoint(_ prefix: String, into dir: String, name: String = "model.ckpt") -> String {
        writeBytes(readBytes(prefix + ".index"), to: "\(dir)/\(name).index")
        writeBytes(readBytes(prefix + ".data-00000-of-00001"), to: "\(dir)/\(name).data-00000-of-00001")
        return "\(dir)/\(name)"
    }

    /// Arrays of an uncompressed `.npz`: name (without `.npy`) → (shape, float32 values).
    static func readNPZ(_ path: String) -> [String: (shape: [Int], values: [Float])] {
        let b = readBytes(path)
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        var out: [String: (shape: [Int], values: [Float])] = [:]
        var i = 0
        while i + 30 <= b.count, u32(i) == 0x0403_4B50 {
            let method = u16(i + 8), nameLen = u16(i + 26), extraLen = u16(i + 28)
            var size = u32(i + 18)
            let name = String(decoding: b[(i + 30)..<(i + 30 + nameLen)], as: UTF8.self)
            let start = i + 30 + nameLen + extraLen
            if size == 0xFFFF_FFFF { // zip64 (numpy writes force_zip64): extra field 0x0001 holds the sizes
                var e = i + 30 + nameLen
                while e + 4 <= start {
                    if u16(e) == 1 { size = u32(e + 12) | u32(e + 16) << 32; break } // compressed size (second u64)
                    e += 4 + u16(e + 2)
                }
            }
            if method == 0, name.hasSuffix(".npy") {
                let npy = Array(b[start..<(start + size)])
                // magic(6) version(2) header_len(2, v1) header, then data.
                let hlen = Int(npy[8]) | Int(npy[9]) << 8
                let header = String(decoding: npy[10..<(10 + hlen)], as: UTF8.self)
                let shapeText = header.split(separator: "(").last!.split(separator: ")").first ?? ""
                let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: " ")) }
                let data = npy[(10 + hlen)...]
                var values = [Float](repeating: 0, count: data.count / 4)
                for k in 0..<values.count {
                    let o = data.startIndex + 4 * k
                    values[k] = Float(bitPattern: UInt32(npy[o]) | UInt32(npy[o + 1]) << 8 | UInt32(npy[o + 2]) << 16 | UInt32(npy[o + 3]) << 24)
                }
                out[String(name.dropLast(4))] = (shape, values)
            }
            i = start + size
        }
        return out
    }

    /// `../shared/reference/dcscn-tf/<c-DCSCN name for scale>`.
    static func compactCheckpoint(scale: Int) -> String {
        let sc = scale == 2 ? "" : "_Sc\(scale)"
        return SharedData.path("reference/dcscn-tf/dcscn_L7_F32to8_G1.20\(sc)_NIN_A24_B8_PS_R1F32.ckpt")
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }
}
