import CHDF5
#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// Element types srcore stores in HDF5 datasets.
public enum HDF5ElementType: Sendable, Equatable {
    case float32, float64, int32, int64, uint8, string, other

    var nativeType: hid_t {
        switch self {
        case .float32: return srh5_native_float()
        case .float64: return srh5_native_double()
        case .int32: return srh5_native_int32()
        case .int64: return srh5_native_int64()
        case .uint8: return srh5_native_uint8()
        case .string, .other: return srh5_native_uint8()
        }
    }

    /// Bytes per element (0 for variable-size or unknown types).
    package var size: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .uint8: return 1
        case .string, .other: return 0
        }
    }
}

/// A thin, throwing wrapper over one open HDF5 file (libhdf5's C API).
///
/// Objects are addressed by absolute paths ("/lr", "/layers/CNN1/kernel"). Errors are
/// `SRError` values naming the file and the object. The serial libhdf5 build is not reentrant, so
/// every public method holds the process-wide recursive `HDF5File.lock`; code that calls libhdf5
/// directly must hold it too. An instance itself should be used by one thread at a time.
public final class HDF5File {
    /// The file's path (as given), or the name it stands for in messages.
    public let path: String
    var fid: hid_t
    /// Opened for writing (create, `open(writable: true)`, in-memory files).
    private let writable: Bool
    /// Written through HDF5's sec2 driver to a real file (not an in-memory image).
    private let onDisk: Bool

    /// A process-wide lock: the serial libhdf5 is not thread-safe.
    package static let lock = Lock(recursive: true)

    private init(path: String, fid: hid_t, writable: Bool, onDisk: Bool) {
        self.path = path
        self.fid = fid
        self.writable = writable
        self.onDisk = onDisk
        if onDisk { srh5_set_cloexec(fid) }   // libhdf5 opens without O_CLOEXEC (shim.h)
    }

    deinit { release() }

    /// Initialises libhdf5 once (error printing off) and registers an exit handler that runs before
    /// libhdf5's own (`atexit` order is last in, first out): it takes `lock` for good, so no thread
    /// can call libhdf5 while or after `H5_term_library` closes every id (a late close would
    /// re-initialise the library and print an "invalid file identifier" trace, or worse).
    /// docs/faults.md.
    package static func initialize() {
        _ = initialized
    }

    /// (Runs without `lock`, so a caller holding it cannot deadlock against the once-token: no
    /// thread calls libhdf5 before it has passed here, as every way to an id goes through it.)
    private static let initialized: Bool = {
        _ = H5open()
        srh5_silence_errors()
        atexit { HDF5File.lock.lock() }   // never unlocked: the process is ending
        return true
    }()

    /// Creates (or truncates) a file.
    public static func create(_ path: String) throws -> HDF5File {
        initialize()
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        srh5_silence_errors()
        let fid = H5Fcreate(path, srh5_f_acc_trunc(), srh5_p_default(), srh5_p_default())
        guard fid >= 0 else { throw SRError(.io, "cannot create HDF5 file", path: path, errno: HDF5File.ioErrno()) }
        return HDF5File(path: path, fid: fid, writable: true, onDisk: true)
    }

    /// Opens an existing file, read-only unless `writable`.
    public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
        initialize()
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        srh5_silence_errors()
        guard access(path, F_OK) == 0 else { throw SRError(.io, "\(path): no such file") }
        guard access(path, R_OK) == 0 else { throw SRError(.io, "\(path): not readable") }
        guard H5Fis_hdf5(path) > 0 else { throw SRError(.format, "\(path): not an HDF5 file") }
        let fid = H5Fopen(path, writable ? srh5_f_acc_rdwr() : srh5_f_acc_rdonly(), srh5_p_default())
        guard fid >= 0 else { throw SRError(.format, "\(path): cannot open HDF5 file (corrupt or truncated?)") }
        return HDF5File(path: path, fid: fid, writable: writable, onDisk: true)
    }

    /// Opens a read-only file from an in-memory image of its bytes (HDF5's core driver; the bytes are
    /// copied, nothing touches the disk). `name` stands for the file in error messages.
    public static func open(image: UnsafeRawBufferPointer, name: String) throws -> HDF5File {
        initialize()
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        srh5_silence_errors()
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
        guard let base = image.baseAddress, image.count >= 64,
              image.prefix(8).elementsEqual(signature) else {
            throw SRError(.format, "\(name): not an HDF5 file image")
        }
        let fapl = H5Pcreate(srh5_p_file_access())
        guard fapl >= 0 else { throw SRError(.internal, "\(name): cannot create an HDF5 file-access list") }
        defer { H5Pclose(fapl) }
        guard H5Pset_fapl_core(fapl, 1 << 16, false) >= 0, H5Pset_file_image(fapl, UnsafeMutableRawPointer(mutating: base), image.count) >= 0 else {
            throw SRError(.internal, "\(name): cannot set up HDF5's in-memory driver")
        }
        let fid = H5Fopen(name, srh5_f_acc_rdonly(), fapl)
        guard fid >= 0 else { throw SRError(.format, "\(name): cannot open HDF5 file image (corrupt or truncated?)") }
        return HDF5File(path: name, fid: fid, writable: false, onDisk: false)
    }

    /// Wraps an already open file id; the wrapper closes it. `onDisk`: a sec2 file that may be written.
    package static func adopt(fileID: hid_t, name: String, writable: Bool = false, onDisk: Bool = false) -> HDF5File {
        HDF5File(path: name, fid: fileID, writable: writable, onDisk: onDisk)
    }

    /// Flushes and closes a file that was written; further calls fail. Safe to call twice.
    /// - Throws: `.io` when libhdf5 cannot flush or close it (a full disk, say): the file is then
    ///   incomplete and must not be renamed into place. The id is closed either way.
    public func close() throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        if let e = finish() {
            throw SRError(.io, "cannot write the HDF5 file to the end", path: path, errno: e == 0 ? nil : e)
        }
    }

    /// Closes the file without reporting errors: for files only read, and on error paths where
    /// the file is abandoned anyway. Safe to call twice.
    public func release() {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        _ = finish()
    }

    /// Closes the id so that it is gone whatever happens. A file written through the sec2 driver
    /// is closed into an in-memory copy and then written back with checked system calls, so
    /// libhdf5's close never meets a failing write: in libhdf5 1.10 a file whose flush failed can
    /// never be closed, and a failed H5Fclose frees the file but keeps its id, which
    /// `H5_term_library` closes again at exit — a segfault (docs/faults.md). Returns nil, or the
    /// errno of the failure (0 when unknown). Caller holds the lock.
    private func finish() -> Int32? {
        guard fid >= 0 else { return nil }
        defer { fid = -1 }
        guard writable && onDisk else { return H5Fclose(fid) < 0 ? 0 : nil }
        var original: Int32 = -1
        let memory = srh5_redirect_to_memory(fid, &original)
        errno = 0
        // When the redirection failed (no memfd), libhdf5 writes the disk itself, as it would anyway.
        let rc = memory >= 0 ? srh5_close_in_memory(fid) : H5Fclose(fid)
        var failure: Int32? = rc < 0 ? HDF5File.ioErrno() : nil
        if memory >= 0 {
            if failure == nil {
                let e = srh5_copy_extents(memory, original)
                if e != 0 { failure = e }
            }
            Glibc.close(memory)
            srh5_release_original(original)
        }
        return failure
    }

    /// The errno a failed libhdf5 call left when it is an I/O error worth naming (else 0): libhdf5
    /// does not return it, but its drivers fail right after the system call.
    static func ioErrno() -> Int32 {
        let e = errno
        return [ENOSPC, EFBIG, EDQUOT, EIO, EROFS, EACCES, EPERM, ENOENT, EMFILE, ENFILE].contains(e) ? e : 0
    }

    /// Flushes buffered data to disk (like `finish()`, through a memory copy written back with
    /// checked calls, so a failing disk never makes libhdf5's own flush fail; docs/faults.md).
    public func flush() throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        guard writable else { return }
        var original: Int32 = -1
        let memory = onDisk ? srh5_redirect_to_memory(fid, &original) : -1
        guard memory >= 0 else {
            guard H5Fflush(fid, H5F_SCOPE_GLOBAL) >= 0 else { throw SRError(.io, "flush failed", path: path) }
            return
        }
        defer { Glibc.close(memory); Glibc.close(original) }
        let flushed = H5Fflush(fid, H5F_SCOPE_GLOBAL) >= 0
        let e = flushed ? srh5_copy_extents(memory, original) : 0
        guard srh5_restore_descriptor(fid, original) == 0 else {
            throw SRError(.internal, "cannot point libhdf5 back at the file after a flush", path: path, errno: errno)
        }
        guard flushed else { throw SRError(.internal, "libhdf5 cannot flush the file (in memory)", path: path) }
        guard e == 0 else { throw SRError(.io, "cannot write the HDF5 file", path: path, errno: e) }
    }

    /// The raw file id, for direct libhdf5 calls.
    package var fileID: hid_t { fid }

    /// Whether an object (group or dataset) exists at `objectPath`.
    public func exists(_ objectPath: String) -> Bool {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        if objectPath == "/" { return true }
        // Check every prefix: H5Lexists fails on a missing intermediate group.
        var prefix = ""
        for part in objectPath.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(fid, prefix, srh5_p_default()) <= 0 { return false }
        }
        return true
    }

    /// Creates a group (and missing parents).
    public func createGroup(_ groupPath: String) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        var prefix = ""
        for part in groupPath.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(fid, prefix, srh5_p_default()) > 0 { continue }
            let g = H5Gcreate2(fid, prefix, srh5_p_default(), srh5_p_default(), srh5_p_default())
            guard g >= 0 else { throw SRError(.io, "\(path): cannot create group \(prefix)") }
            H5Gclose(g)
        }
    }

    /// Names of the members of a group, in HDF5's (alphabetical) order.
    public func members(of groupPath: String) throws -> [String] {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let g = H5Oopen(fid, groupPath, srh5_p_default())
        guard g >= 0 else { throw SRError(.format, "\(path): no group \(groupPath)") }
        defer { H5Oclose(g) }
        var names: [String] = []
        var info = H5G_info_t()
        guard H5Gget_info(g, &info) >= 0 else { throw SRError(.format, "\(path): \(groupPath) is not a group") }
        for i in 0..<info.nlinks {
            let n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, srh5_p_default())
            guard n >= 0 else { continue }
            var buf = [CChar](repeating: 0, count: Int(n) + 1)
            H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buf, Int(n) + 1, srh5_p_default())
            names.append(String(cString: buf))
        }
        return names
    }
}
