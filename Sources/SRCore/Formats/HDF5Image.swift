import CHDF5
#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// Files built in memory and written in one checked write: the way srcore writes every HDF5 file
/// that fits in memory (weights, training checkpoints, merged patch sets).
///
/// libhdf5 then never writes to the disk itself, so a full disk or a file-size limit is an error of
/// `AtomicFile.write(bytes:)` naming the destination and the errno, the destination stays as it was,
/// and no HDF5 close can fail half-way (a failed H5Fclose leaves a dangling id that crashes
/// `H5_term_library` at exit; docs/faults.md).
extension HDF5File {
    /// Creates an empty writable file held in memory (HDF5's core driver, no backing file).
    /// `name` stands for it in messages.
    package static func createInMemory(name: String) throws -> HDF5File {
        initialize()
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let fapl = H5Pcreate(srh5_p_file_access())
        guard fapl >= 0 else { throw SRError(.internal, "cannot create an HDF5 file-access list", path: name) }
        defer { H5Pclose(fapl) }
        guard H5Pset_fapl_core(fapl, 1 << 16, false) >= 0 else {
            throw SRError(.internal, "cannot set up HDF5's in-memory driver", path: name)
        }
        let fid = H5Fcreate(name, srh5_f_acc_trunc(), srh5_p_default(), fapl)
        guard fid >= 0 else { throw SRError(.outOfMemory, "cannot create an HDF5 file in memory", path: name) }
        return HDF5File.adopt(fileID: fid, name: name, writable: true, onDisk: false)
    }

    /// The bytes of the whole file as they would be on disk (metadata flushed first).
    package func image() throws -> [UInt8] {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        guard H5Fflush(fid, H5F_SCOPE_GLOBAL) >= 0 else { throw SRError(.internal, "cannot flush the HDF5 file in memory", path: path) }
        let size = H5Fget_file_image(fid, nil, 0)
        guard size > 0 else { throw SRError(.internal, "cannot get the HDF5 file image", path: path) }
        var bytes = [UInt8](repeating: 0, count: size)
        let got = bytes.withUnsafeMutableBytes { H5Fget_file_image(fid, $0.baseAddress, size) }
        guard got == size else { throw SRError(.internal, "cannot copy the HDF5 file image", path: path) }
        return bytes
    }

    /// Builds a file in memory with `body` and writes it to `path` atomically (temporary file,
    /// fsync, rename; see `AtomicFile`). `body` receives the file, named `path` in messages.
    package static func writeAtomically(_ path: String, overwrite: Bool = true, unique: Bool = true,
                                        _ body: (HDF5File) throws -> Void) throws {
        try write(into: try AtomicFile(path: path, overwrite: overwrite, unique: unique), body)
    }

    /// Builds a file in memory with `body` and commits it as `target`; discards `target` on any error.
    package static func write(into target: AtomicFile, _ body: (HDF5File) throws -> Void) throws {
        do {
            let bytes: [UInt8] = try HDF5File.lock.withLock {
                let f = try createInMemory(name: target.path)
                defer { f.release() }
                try body(f)
                let bytes = try f.image()
                try f.close()
                return bytes
            }
            try bytes.withUnsafeBytes { try target.write(bytes: $0) }
            try target.commit()
        } catch {
            target.discard()
            throw error
        }
    }
}
