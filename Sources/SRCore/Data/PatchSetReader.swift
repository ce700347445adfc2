import SRSupport
import SRImage
import SRFormats
/// Reads minibatch slices of a patch set written by `srprep build` or `srprep merge`.
///
/// Values come back on the normalised 0...1 scale whatever the stored dtype (uint8 samples are
/// converted by `value / 255`). All HDF5 calls go through `HDF5File.lock`, so one reader may be
/// used from a background prefetch thread while other threads use HDF5.
public final class PatchSetReader: @unchecked Sendable {
    /// The file's path.
    public let path: String
    /// Number of patches N.
    public let count: Int
    /// Upscaling factor.
    public let scale: Int
    /// LR patch side.
    public let lrPatch: Int
    /// HR patch side (`scale * lrPatch`).
    public let hrPatch: Int
    /// Stored sample type: "float32" or "uint8".
    public let dtype: String
    /// All attributes.
    public let info: PatchSetInfo
    private let file: HDF5File

    /// Opens a patch set; refuses files whose `format` attribute is not `srcore.patches`.
    public init(path: String) throws {
        self.path = path
        let (file, info) = try HDF5File.lock.withLock { () throws -> (HDF5File, PatchSetInfo) in
            let f = try HDF5File.open(path)
            do { return (f, try PatchSetInfo.read(from: f)) } catch { f.release(); throw error }
        }
        self.file = file
        self.info = info
        count = info.count
        scale = info.scale
        lrPatch = info.lrPatch
        hrPatch = info.hrPatch
        dtype = info.dtype.rawValue
    }

    deinit { file.release() }

    /// Reads patches `start ..< start+count` into `lr` (`count*lrPatch*lrPatch` values, patch-major,
    /// rows of each patch contiguous) and `hr` (`count*hrPatch*hrPatch`), on the 0...1 scale.
    public func read(start: Int, count: Int, lr: UnsafeMutableBufferPointer<Float>,
                     hr: UnsafeMutableBufferPointer<Float>) throws {
        guard start >= 0, count >= 0, start <= self.count - count else {
            throw SRError(.invalidArgument, "\(path): patches \(start)..<\(start + count) are outside 0..<\(self.count)")
        }
        let nl = count * lrPatch * lrPatch, nh = count * hrPatch * hrPatch
        guard lr.count >= nl, hr.count >= nh else {
            throw SRError(.invalidArgument, "\(path): buffers hold \(lr.count) LR / \(hr.count) HR values, \(nl) / \(nh) needed for \(count) patches")
        }
        if count == 0 { return }
        try HDF5File.lock.withLock {
            try file.readRows("/lr", start: start, count: count, into: UnsafeMutableBufferPointer(rebasing: lr[0..<nl]))
            try file.readRows("/hr", start: start, count: count, into: UnsafeMutableBufferPointer(rebasing: hr[0..<nh]))
        }
        if info.dtype == .uint8 {
            for i in 0..<nl { lr[i] = lr[i] / 255 }
            for i in 0..<nh { hr[i] = hr[i] / 255 }
        }
    }

    /// The `(source index, dihedral id, LR y, LR x)` of patches `start ..< start+count`, flattened.
    public func origins(start: Int, count: Int) throws -> [Int32] {
        guard start >= 0, count >= 0, start <= self.count - count else {
            throw SRError(.invalidArgument, "\(path): patches \(start)..<\(start + count) are outside 0..<\(self.count)")
        }
        var out = [Int32](repeating: 0, count: count * 4)
        if count == 0 { return out }
        try HDF5File.lock.withLock {
            try out.withUnsafeMutableBufferPointer { try file.readRows("/origin", start: start, count: count, into: $0) }
        }
        return out
    }

    /// The source file names (`/sources`), indexed by the first column of `/origin`.
    public func sources() throws -> [String] {
        try HDF5File.lock.withLock { try file.readStrings("/sources") }
    }
}
