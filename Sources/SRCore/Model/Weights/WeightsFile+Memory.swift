import SRSupport
import SRImage
import SRKernels
import SRFormats
extension WeightsFile {
    /// Reads a weights file from its bytes in memory, in either layout (told apart by the first bytes,
    /// as `read(path:)` does). Errors name `name`. Bytes from elsewhere: `readSafeTensors(bytes:name:)`.
    ///
    /// - Throws: what `read(path:)` throws; `.invalidArgument` for an empty buffer.
    public static func read(bytes: UnsafeRawBufferPointer, name: String = "<memory>") throws -> DCSCNParameters {
        guard bytes.baseAddress != nil, bytes.count > 0 else {
            throw SRError(.invalidArgument, "\(name): empty weights image")
        }
        if isHDF5(bytes) { return try readHDF5(bytes: bytes, name: name) }
        return try readSafeTensors(bytes: bytes, name: name)
    }

    /// Reads a legacy HDF5 weights file image with HDF5's in-memory (core) driver and the reader of
    /// `readHDF5(path:)`; nothing is written to disk. Errors name `name`.
    public static func readHDF5(bytes: UnsafeRawBufferPointer, name: String = "<memory>") throws -> DCSCNParameters {
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
