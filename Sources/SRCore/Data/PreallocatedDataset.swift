#if canImport(Glibc)
import Glibc
#endif
import CHDF5

/// A chunked, uncompressed HDF5 dataset whose chunks were allocated at creation, with the file
/// address of every chunk, so rows can be written in any order with `pwrite` (no HDF5 calls, no
/// chunk cache, any number of threads) after the HDF5 file is closed.
struct PreallocatedDataset: Sendable {
    /// Dataset path.
    let name: String
    /// Number of rows (first dimension).
    let rows: Int
    /// Bytes per row.
    let rowBytes: Int
    /// Rows per chunk.
    let chunkRows: Int
    /// File address of chunk `c` (rows `c*chunkRows ..< (c+1)*chunkRows`).
    let chunkAddress: [UInt64]

    /// File offset of row `r`.
    @inline(__always) func offset(ofRow r: Int) -> Int {
        Int(chunkAddress[r / chunkRows]) + (r % chunkRows) * rowBytes
    }
}

/// Creating preallocated datasets inside an open HDF5 file (CHDF5 directly: the wrapper has no
/// allocation-time or chunk-address calls).
enum PatchChunkFile {
    /// Creates `name` with `shape` (rows first), element `type` of `elementSize` bytes, chunks of
    /// `chunkRows` rows, early allocation, no fill, no timestamps; returns its chunk addresses.
    static func create(file: hid_t, name: String, type: hid_t, elementSize: Int, shape: [Int],
                       chunkRows: Int, path: String) throws -> PreallocatedDataset {
        let fail = { (what: String) in SRError(.io, "\(path): cannot \(what) dataset \(name)") }
        precondition(shape[0] > 0 && chunkRows > 0)
        let dims = shape.map { hsize_t($0) }
        var chunk = dims
        chunk[0] = hsize_t(min(chunkRows, shape[0]))
        let dcpl = H5Pcreate(srh5_p_dataset_create())
        guard dcpl >= 0 else { throw fail("create the property list of") }
        defer { H5Pclose(dcpl) }
        guard H5Pset_chunk(dcpl, Int32(chunk.count), chunk) >= 0,
              H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0,
              H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0,
              H5Pset_obj_track_times(dcpl, false) >= 0 else { throw fail("configure") }
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        guard space >= 0 else { throw fail("make the dataspace of") }
        defer { H5Sclose(space) }
        let dset = H5Dcreate2(file, name, type, space, srh5_p_default(), dcpl, srh5_p_default())
        guard dset >= 0 else { throw fail("create") }
        defer { H5Dclose(dset) }
        let fspace = H5Dget_space(dset)
        guard fspace >= 0 else { throw fail("get the dataspace of") }
        defer { H5Sclose(fspace) }
        var n: hsize_t = 0
        guard H5Dget_num_chunks(dset, fspace, &n) >= 0 else { throw fail("count the chunks of") }
        let rowsPerChunk = Int(chunk[0])
        let expected = (shape[0] + rowsPerChunk - 1) / rowsPerChunk
        let rowBytes = shape.dropFirst().reduce(elementSize, *)
        guard Int(n) == expected else { throw fail("preallocate (\(n) of \(expected) chunks) the") }
        var addresses = [UInt64](repeating: UInt64.max, count: expected)
        var offset = [hsize_t](repeating: 0, count: dims.count)
        for i in 0..<Int(n) {
            var mask: UInt32 = 0
            var addr: haddr_t = 0
            var size: hsize_t = 0
            guard H5Dget_chunk_info(dset, fspace, hsize_t(i), &offset, &mask, &addr, &size) >= 0,
                  mask == 0, Int(size) == rowsPerChunk * rowBytes else { throw fail("locate the chunks of") }
            let c = Int(offset[0]) / rowsPerChunk
            guard c < expected, addresses[c] == UInt64.max else { throw fail("locate the chunks of") }
            addresses[c] = UInt64(addr)
        }
        return PreallocatedDataset(name: name, rows: shape[0], rowBytes: rowBytes,
                                   chunkRows: rowsPerChunk, chunkAddress: addresses)
    }
}

/// Writes rows of preallocated datasets into the (closed) HDF5 file with `pwrite`; thread-safe.
final class RawRowWriter: @unchecked Sendable {
    private let fd: Int32
    private let path: String

    /// Opens `path` for writing.
    init(path: String) throws {
        fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw SRError(.io, "\(path): cannot open for writing (errno \(errno))") }
        self.path = path
    }

    deinit { close(fd) }

    /// Allocates the file's blocks up to `size` bytes in one call (writes into holes then need no
    /// block allocation each); a file system without fallocate just skips this.
    func preallocate(size: Int) {
        _ = posix_fallocate(fd, 0, off_t(size))
    }

    /// Writes `bytes` as row `row` of `dataset`.
    func write(_ bytes: UnsafeRawBufferPointer, row: Int, of dataset: PreallocatedDataset) throws {
        precondition(bytes.count == dataset.rowBytes && row >= 0 && row < dataset.rows)
        var done = 0
        let base = dataset.offset(ofRow: row)
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(base + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SRError(.io, "\(path): write failed (errno \(errno): \(String(cString: strerror(errno))))")
            }
            done += n
        }
    }

    /// Flushes the file to disk.
    func sync() throws {
        guard fsync(fd) == 0 else { throw SRError(.io, "\(path): fsync failed (errno \(errno))") }
    }
}
