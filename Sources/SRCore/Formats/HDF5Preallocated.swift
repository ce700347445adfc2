#if canImport(Glibc)
import Glibc
#endif
import CHDF5
import SRSupport

/// A contiguous, uncompressed HDF5 dataset whose storage was allocated at creation, with its file
/// address, so rows can be written in any order with `pwrite` (no HDF5 calls, no cache, any number
/// of threads) after the HDF5 file is closed.
///
/// Why contiguous rather than chunked by a minibatch: any slice of rows is then one contiguous read
/// (also slices that do not start at a chunk boundary), and there is no chunk index to query. In
/// HDF5 1.10 every chunk-address query (`H5Dget_chunk_info[_by_coord]`) walks the index, so
/// locating the chunks of a preallocated chunked dataset is quadratic: measured 0.7 s for 9.5k
/// chunks and growing ~n^2. The reason docs/srprep.md gives for minibatch chunks — never compress
/// across many patches — holds as well: the data is uncompressed.
package struct PreallocatedDataset: Sendable {
    /// Dataset path.
    let name: String
    /// Number of rows (first dimension).
    let rows: Int
    /// Bytes per row.
    let rowBytes: Int
    /// File address of row 0.
    let address: Int

    /// File offset of row `r`.
    @inline(__always) func offset(ofRow r: Int) -> Int { address + r * rowBytes }

    /// The end of the dataset's storage in the file.
    package var end: Int { address + rows * rowBytes }
}

extension HDF5File {
    /// Creates (truncates) an HDF5 file at `path` in the 1.10 file format (readable by HDF5 >= 1.10);
    /// messages name it `name` (the destination when `path` is its temporary file).
    /// Caller holds `HDF5File.lock`.
    package static func createV110(_ path: String, name: String? = nil) throws -> HDF5File {
        initialize()
        let name = name ?? path
        srh5_silence_errors()
        let fapl = H5Pcreate(srh5_p_file_access())
        guard fapl >= 0 else { throw SRError(.io, "cannot create a file access property list", path: name) }
        defer { H5Pclose(fapl) }
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110)
        errno = 0
        let fid = H5Fcreate(path, srh5_f_acc_trunc(), srh5_p_default(), fapl)
        guard fid >= 0 else { throw SRError(.io, "cannot create HDF5 file", path: name, errno: HDF5File.ioErrno()) }
        return HDF5File.adopt(fileID: fid, name: name, writable: true, onDisk: true)
    }

    /// Creates `name` with `shape` (rows first) of `type` elements: contiguous, allocated now,
    /// never filled, no timestamps; returns its file address. Caller holds `HDF5File.lock`.
    package func createPreallocated(_ name: String, type: HDF5ElementType, shape: [Int]) throws -> PreallocatedDataset {
        let fail = { (what: String) in SRError(.io, "\(self.path): cannot \(what) dataset \(name)") }
        guard let first = shape.first, first > 0, type.size > 0 else {
            throw SRError(.internal, "\(path): dataset \(name) needs at least one row of a fixed-size type")
        }
        let dims = shape.map { hsize_t($0) }
        let dcpl = H5Pcreate(srh5_p_dataset_create())
        guard dcpl >= 0 else { throw fail("create the property list of") }
        defer { H5Pclose(dcpl) }
        guard H5Pset_layout(dcpl, H5D_CONTIGUOUS) >= 0,
              H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0,
              H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0,
              H5Pset_obj_track_times(dcpl, false) >= 0 else { throw fail("configure") }
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        guard space >= 0 else { throw fail("make the dataspace of") }
        defer { H5Sclose(space) }
        let dset = H5Dcreate2(fileID, name, type.nativeType, space, srh5_p_default(), dcpl, srh5_p_default())
        guard dset >= 0 else { throw fail("create") }
        defer { H5Dclose(dset) }
        let rowBytes = shape.dropFirst().reduce(type.size, *)
        let address = H5Dget_offset(dset)
        guard address != haddr_t.max, H5Dget_storage_size(dset) == hsize_t(first * rowBytes) else {
            throw fail("allocate the storage of")
        }
        return PreallocatedDataset(name: name, rows: first, rowBytes: rowBytes, address: Int(address))
    }
}

/// Writes rows of preallocated datasets into the (closed) HDF5 file with `pwrite`; thread-safe.
/// The file is made durable by the `AtomicFile.commit()` that renames it into place (fsync).
package final class RawRowWriter: @unchecked Sendable {
    private let fd: Int32
    private let path: String

    /// Opens `path` for writing; messages name it `name` (the destination of a temporary file).
    package init(path: String, name: String? = nil) throws {
        let name = name ?? path
        fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SRError(.io, "cannot open for writing", path: name, errno: errno) }
        self.path = name
    }

    deinit { close(fd) }

    /// Allocates the file's blocks up to `size` bytes in one call (writes into holes then need no
    /// block allocation each, and a full disk is found before any work is done); a file system
    /// without fallocate just skips this.
    /// - Throws: `.io` with ENOSPC/EFBIG/EDQUOT when the space is not there.
    package func preallocate(size: Int) throws {
        let rc = posix_fallocate(fd, 0, off_t(size))   // returns the error number, does not set errno
        if rc == ENOSPC || rc == EFBIG || rc == EDQUOT {
            throw SRError(.io, "cannot reserve \(size) bytes for the patch set", path: path, errno: rc)
        }
    }

    /// Writes `bytes` as row `row` (and the following rows, if `bytes` holds several) of `dataset`.
    package func write(_ bytes: UnsafeRawBufferPointer, row: Int, of dataset: PreallocatedDataset) throws {
        guard bytes.count % dataset.rowBytes == 0, row >= 0, row + bytes.count / dataset.rowBytes <= dataset.rows else {
            throw SRError(.internal, "\(bytes.count) bytes at row \(row) do not fit dataset \(dataset.name)", path: path)
        }
        var done = 0
        let base = dataset.offset(ofRow: row)
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(base + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SRError(.io, "write failed", path: path, errno: errno)
            }
            done += n
        }
    }
}
