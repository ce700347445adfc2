import SRSupport
import SRImage
import SRKernels
import SRFormats
extension WeightsFile {
    /// Reads a weights file from its bytes in memory (e.g. a model compiled into libsrcore).
    ///
    /// The bytes are opened with HDF5's in-memory (core) driver and parsed by the same reader as
    /// `read(path:)`; nothing is written to disk. Errors name `name`.
    ///
    /// - Throws: what `read(path:)` throws; `.invalidArgument` for an empty buffer, `.format` when the
    ///   bytes are not an HDF5 file image.
    public static func read(bytes: UnsafeRawBufferPointer, name: String = "<memory>") throws -> DCSCNParameters {
        guard bytes.baseAddress != nil, bytes.count > 0 else {
            throw SRError(.invalidArgument, "\(name): empty weights image")
        }
        return try HDF5File.lock.withLock {
            let f = try HDF5File.open(image: bytes, name: name)
            defer { f.release() }
            return try readContents(f, path: name)
        }
    }
}
