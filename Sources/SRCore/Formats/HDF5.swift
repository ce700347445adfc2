import CHDF5
#if canImport(Glibc)
import Glibc
#endif

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
}

/// A thin, throwing wrapper over one open HDF5 file (libhdf5's C API).
///
/// Objects are addressed by absolute paths ("/lr", "/layers/CNN1/kernel"). Errors are
/// `SRError` values naming the file and the object. Not thread-safe: use one instance per thread
/// (the serial libhdf5 build is not reentrant; srcore serialises HDF5 calls through `HDF5File.lock`).
public final class HDF5File {
    /// The file's path (as given).
    public let path: String
    private var fid: hid_t

    /// A process-wide lock: the serial libhdf5 is not thread-safe.
    public static let lock = HDF5Lock()

    private init(path: String, fid: hid_t) {
        self.path = path
        self.fid = fid
    }

    deinit { close() }

    /// Creates (or truncates) a file.
    public static func create(_ path: String) throws -> HDF5File {
        srh5_silence_errors()
        let fid = H5Fcreate(path, srh5_f_acc_trunc(), srh5_p_default(), srh5_p_default())
        guard fid >= 0 else { throw SRError(.io, "\(path): cannot create HDF5 file") }
        return HDF5File(path: path, fid: fid)
    }

    /// Opens an existing file, read-only unless `writable`.
    public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
        srh5_silence_errors()
        guard access(path, F_OK) == 0 else { throw SRError(.io, "\(path): no such file") }
        guard access(path, R_OK) == 0 else { throw SRError(.io, "\(path): not readable") }
        guard H5Fis_hdf5(path) > 0 else { throw SRError(.format, "\(path): not an HDF5 file") }
        let fid = H5Fopen(path, writable ? srh5_f_acc_rdwr() : srh5_f_acc_rdonly(), srh5_p_default())
        guard fid >= 0 else { throw SRError(.format, "\(path): cannot open HDF5 file (corrupt or truncated?)") }
        return HDF5File(path: path, fid: fid)
    }

    /// Wraps an already open file id (e.g. an in-memory file image); the wrapper closes it.
    public static func adopt(fileID: hid_t, name: String) -> HDF5File {
        HDF5File(path: name, fid: fileID)
    }

    /// Flushes and closes the file; further calls fail. Safe to call twice.
    public func close() {
        if fid >= 0 {
            H5Fclose(fid)
            fid = -1
        }
    }

    /// Flushes buffered data to disk.
    public func flush() throws {
        guard H5Fflush(fid, H5F_SCOPE_GLOBAL) >= 0 else { throw SRError(.io, "\(path): flush failed") }
    }

    /// The raw file id, for direct libhdf5 calls.
    public var fileID: hid_t { fid }

    /// Whether an object (group or dataset) exists at `objectPath`.
    public func exists(_ objectPath: String) -> Bool {
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

    // MARK: - Attributes

    private func withObject<T>(_ object: String, _ body: (hid_t) throws -> T) throws -> T {
        let o = H5Oopen(fid, object, srh5_p_default())
        guard o >= 0 else { throw SRError(.format, "\(path): no object \(object)") }
        defer { H5Oclose(o) }
        return try body(o)
    }

    private func writeAttribute(_ name: String, on object: String, type: hid_t, dims: [Int],
                                _ data: UnsafeRawPointer?) throws {
        try withObject(object) { o in
            if H5Aexists(o, name) > 0 { H5Adelete(o, name) }
            var hd = dims.map { hsize_t($0) }
            let space = dims.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), &hd, nil)
            defer { H5Sclose(space) }
            let a = H5Acreate2(o, name, type, space, srh5_p_default(), srh5_p_default())
            guard a >= 0 else { throw SRError(.io, "\(path): cannot create attribute \(name) on \(object)") }
            defer { H5Aclose(a) }
            guard H5Awrite(a, type, data) >= 0 else {
                throw SRError(.io, "\(path): cannot write attribute \(name) on \(object)")
            }
        }
    }

    /// Sets a string attribute (fixed-length UTF-8, readable as `str` in h5py).
    public func setAttribute(_ name: String, _ value: String, on object: String = "/") throws {
        var bytes = Array(value.utf8)
        if bytes.isEmpty { bytes = [0] }
        let t = H5Tcopy(srh5_c_s1())
        defer { H5Tclose(t) }
        H5Tset_size(t, bytes.count)
        H5Tset_cset(t, H5T_CSET_UTF8)
        H5Tset_strpad(t, H5T_STR_NULLPAD)
        try bytes.withUnsafeBytes { try writeAttribute(name, on: object, type: t, dims: [], $0.baseAddress) }
    }

    /// Sets an integer attribute (int64).
    public func setAttribute(_ name: String, _ value: Int, on object: String = "/") throws {
        var v = Int64(value)
        try writeAttribute(name, on: object, type: srh5_native_int64(), dims: [], &v)
    }

    /// Sets a double attribute.
    public func setAttribute(_ name: String, _ value: Double, on object: String = "/") throws {
        var v = value
        try writeAttribute(name, on: object, type: srh5_native_double(), dims: [], &v)
    }

    /// Sets an integer-array attribute (int64).
    public func setAttribute(_ name: String, _ value: [Int], on object: String = "/") throws {
        let v = value.map { Int64($0) }
        try v.withUnsafeBytes {
            try writeAttribute(name, on: object, type: srh5_native_int64(), dims: [v.count], $0.baseAddress)
        }
    }

    /// Sets a double-array attribute.
    public func setAttribute(_ name: String, _ value: [Double], on object: String = "/") throws {
        try value.withUnsafeBytes {
            try writeAttribute(name, on: object, type: srh5_native_double(), dims: [value.count], $0.baseAddress)
        }
    }

    /// Sets a string-array attribute (variable-length UTF-8).
    public func setAttribute(_ name: String, _ value: [String], on object: String = "/") throws {
        let t = H5Tcopy(srh5_c_s1())
        defer { H5Tclose(t) }
        H5Tset_size(t, Int(bitPattern: UInt(bitPattern: -1))) // H5T_VARIABLE
        H5Tset_cset(t, H5T_CSET_UTF8)
        let cstrs = value.map { strdup($0) }
        defer { cstrs.forEach { free($0) } }
        try cstrs.withUnsafeBufferPointer {
            try writeAttribute(name, on: object, type: t, dims: [value.count], UnsafeRawPointer($0.baseAddress))
        }
    }

    /// Names of the attributes of an object.
    public func attributeNames(on object: String = "/") throws -> [String] {
        try withObject(object) { o in
            var info = H5O_info_t()
            guard H5Oget_info2(o, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else { return [] }
            var names: [String] = []
            for i in 0..<info.num_attrs {
                let n = H5Aget_name_by_idx(o, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, srh5_p_default())
                guard n >= 0 else { continue }
                var buf = [CChar](repeating: 0, count: Int(n) + 1)
                H5Aget_name_by_idx(o, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buf, Int(n) + 1, srh5_p_default())
                names.append(String(cString: buf))
            }
            return names
        }
    }

    private func withAttribute<T>(_ name: String, on object: String, _ body: (hid_t, hid_t, Int) throws -> T) throws -> T? {
        try withObject(object) { o in
            guard H5Aexists(o, name) > 0 else { return nil }
            let a = H5Aopen(o, name, srh5_p_default())
            guard a >= 0 else { throw SRError(.format, "\(path): cannot open attribute \(name) on \(object)") }
            defer { H5Aclose(a) }
            let space = H5Aget_space(a)
            defer { H5Sclose(space) }
            let n = Int(H5Sget_simple_extent_npoints(space))
            let t = H5Aget_type(a)
            defer { H5Tclose(t) }
            return try body(a, t, n)
        }
    }

    /// A string attribute (fixed- or variable-length), or nil when absent.
    public func stringAttribute(_ name: String, on object: String = "/") throws -> String? {
        try withAttribute(name, on: object) { a, t, n in
            guard H5Tget_class(t) == H5T_STRING else {
                throw SRError(.format, "\(path): attribute \(name) on \(object) is not a string")
            }
            if H5Tis_variable_str(t) > 0 {
                var p: UnsafeMutablePointer<CChar>? = nil
                let mt = H5Tcopy(srh5_c_s1())
                defer { H5Tclose(mt) }
                H5Tset_size(mt, Int(bitPattern: UInt(bitPattern: -1)))
                guard n == 1, H5Aread(a, mt, &p) >= 0, let s = p else {
                    throw SRError(.format, "\(path): cannot read attribute \(name)")
                }
                defer { free(s) }
                return String(cString: s)
            }
            let size = H5Tget_size(t)
            var buf = [UInt8](repeating: 0, count: size * max(n, 1) + 1)
            guard H5Aread(a, t, &buf) >= 0 else { throw SRError(.format, "\(path): cannot read attribute \(name)") }
            let end = buf.firstIndex(of: 0) ?? size
            return String(decoding: buf[0..<min(end, size)], as: UTF8.self)
        }
    }

    /// A string-array attribute, or nil when absent.
    public func stringArrayAttribute(_ name: String, on object: String = "/") throws -> [String]? {
        try withAttribute(name, on: object) { a, t, n in
            guard H5Tget_class(t) == H5T_STRING else {
                throw SRError(.format, "\(path): attribute \(name) on \(object) is not a string array")
            }
            if H5Tis_variable_str(t) > 0 {
                var ptrs = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
                guard H5Aread(a, t, &ptrs) >= 0 else { throw SRError(.format, "\(path): cannot read attribute \(name)") }
                defer { ptrs.forEach { free($0) } }
                return ptrs.map { $0.map { String(cString: $0) } ?? "" }
            }
            let size = H5Tget_size(t)
            var buf = [UInt8](repeating: 0, count: size * n)
            guard H5Aread(a, t, &buf) >= 0 else { throw SRError(.format, "\(path): cannot read attribute \(name)") }
            return (0..<n).map { i in
                let s = buf[(i * size)..<((i + 1) * size)]
                let end = s.firstIndex(of: 0) ?? s.endIndex
                return String(decoding: s[s.startIndex..<end], as: UTF8.self)
            }
        }
    }

    private func numericAttribute<T: Numeric>(_ name: String, on object: String, type: hid_t, zero: T) throws -> [T]? {
        try withAttribute(name, on: object) { a, t, n in
            let cls = H5Tget_class(t)
            guard cls == H5T_INTEGER || cls == H5T_FLOAT else {
                throw SRError(.format, "\(path): attribute \(name) on \(object) is not numeric")
            }
            var v = [T](repeating: zero, count: n)
            guard H5Aread(a, type, &v) >= 0 else { throw SRError(.format, "\(path): cannot read attribute \(name)") }
            return v
        }
    }

    /// An integer attribute (any integer or float type converted), or nil when absent.
    public func intAttribute(_ name: String, on object: String = "/") throws -> Int? {
        guard let v = try numericAttribute(name, on: object, type: srh5_native_int64(), zero: Int64(0)) else { return nil }
        guard v.count == 1 else { throw SRError(.format, "\(path): attribute \(name) on \(object) is not a scalar") }
        return Int(v[0])
    }

    /// A double attribute, or nil when absent.
    public func doubleAttribute(_ name: String, on object: String = "/") throws -> Double? {
        guard let v = try numericAttribute(name, on: object, type: srh5_native_double(), zero: 0.0) else { return nil }
        guard v.count == 1 else { throw SRError(.format, "\(path): attribute \(name) on \(object) is not a scalar") }
        return v[0]
    }

    /// An integer-array attribute, or nil when absent.
    public func intArrayAttribute(_ name: String, on object: String = "/") throws -> [Int]? {
        try numericAttribute(name, on: object, type: srh5_native_int64(), zero: Int64(0))?.map { Int($0) }
    }

    /// A double-array attribute, or nil when absent.
    public func doubleArrayAttribute(_ name: String, on object: String = "/") throws -> [Double]? {
        try numericAttribute(name, on: object, type: srh5_native_double(), zero: 0.0)
    }

    // MARK: - Datasets

    /// Creates a dataset of `shape`, optionally chunked (chunk dims clipped to the shape).
    public func createDataset(_ dsPath: String, type: HDF5ElementType, shape: [Int], chunk: [Int]? = nil) throws {
        guard type != .string, type != .other else {
            throw SRError(.invalidArgument, "\(path): createDataset(\(dsPath)) needs a numeric type")
        }
        if let slash = dsPath.lastIndex(of: "/"), slash != dsPath.startIndex {
            try createGroup(String(dsPath[dsPath.startIndex..<slash]))
        }
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(srh5_p_dataset_create())
        defer { H5Pclose(dcpl) }
        if let chunk, !shape.contains(0) {
            var c = zip(chunk, shape).map { hsize_t(max(1, min($0, $1))) }
            H5Pset_chunk(dcpl, Int32(c.count), &c)
        }
        let d = H5Dcreate2(fid, dsPath, type.nativeType, space, srh5_p_default(), dcpl, srh5_p_default())
        guard d >= 0 else { throw SRError(.io, "\(path): cannot create dataset \(dsPath) \(shape)") }
        H5Dclose(d)
    }

    private func withDataset<T>(_ dsPath: String, _ body: (hid_t) throws -> T) throws -> T {
        guard exists(dsPath) else { throw SRError(.format, "\(path): missing dataset \(dsPath)") }
        let d = H5Dopen2(fid, dsPath, srh5_p_default())
        guard d >= 0 else { throw SRError(.format, "\(path): cannot open dataset \(dsPath)") }
        defer { H5Dclose(d) }
        return try body(d)
    }

    private func writeWhole(_ dsPath: String, type: HDF5ElementType, shape: [Int], chunk: [Int]?,
                            count: Int, _ data: UnsafeRawPointer?) throws {
        guard shape.reduce(1, *) == count else {
            throw SRError(.shapeMismatch, "\(path): \(dsPath) has \(count) values for shape \(shape)")
        }
        try createDataset(dsPath, type: type, shape: shape, chunk: chunk)
        if count == 0 { return }
        try withDataset(dsPath) { d in
            guard H5Dwrite(d, type.nativeType, srh5_s_all(), srh5_s_all(), srh5_p_default(), data) >= 0 else {
                throw SRError(.io, "\(path): cannot write dataset \(dsPath)")
            }
        }
    }

    /// Writes a whole float32 dataset.
    public func write(_ dsPath: String, floats: [Float], shape: [Int], chunk: [Int]? = nil) throws {
        try floats.withUnsafeBytes {
            try writeWhole(dsPath, type: .float32, shape: shape, chunk: chunk, count: floats.count, $0.baseAddress)
        }
    }

    /// Writes a whole int32 dataset.
    public func write(_ dsPath: String, int32s: [Int32], shape: [Int], chunk: [Int]? = nil) throws {
        try int32s.withUnsafeBytes {
            try writeWhole(dsPath, type: .int32, shape: shape, chunk: chunk, count: int32s.count, $0.baseAddress)
        }
    }

    /// Writes a whole uint8 dataset.
    public func write(_ dsPath: String, bytes: [UInt8], shape: [Int], chunk: [Int]? = nil) throws {
        try bytes.withUnsafeBytes {
            try writeWhole(dsPath, type: .uint8, shape: shape, chunk: chunk, count: bytes.count, $0.baseAddress)
        }
    }

    /// Writes a 1-D dataset of variable-length UTF-8 strings.
    public func write(_ dsPath: String, strings: [String]) throws {
        if let slash = dsPath.lastIndex(of: "/"), slash != dsPath.startIndex {
            try createGroup(String(dsPath[dsPath.startIndex..<slash]))
        }
        let t = H5Tcopy(srh5_c_s1())
        defer { H5Tclose(t) }
        H5Tset_size(t, Int(bitPattern: UInt(bitPattern: -1)))
        H5Tset_cset(t, H5T_CSET_UTF8)
        var dims = [hsize_t(strings.count)]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let d = H5Dcreate2(fid, dsPath, t, space, srh5_p_default(), srh5_p_default(), srh5_p_default())
        guard d >= 0 else { throw SRError(.io, "\(path): cannot create dataset \(dsPath)") }
        defer { H5Dclose(d) }
        let cstrs = strings.map { strdup($0) }
        defer { cstrs.forEach { free($0) } }
        if strings.isEmpty { return }
        let ok = cstrs.withUnsafeBufferPointer {
            H5Dwrite(d, t, srh5_s_all(), srh5_s_all(), srh5_p_default(), UnsafeRawPointer($0.baseAddress))
        }
        guard ok >= 0 else { throw SRError(.io, "\(path): cannot write dataset \(dsPath)") }
    }

    /// The shape of a dataset.
    public func shape(of dsPath: String) throws -> [Int] {
        try withDataset(dsPath) { d in
            let space = H5Dget_space(d)
            defer { H5Sclose(space) }
            let rank = Int(H5Sget_simple_extent_ndims(space))
            guard rank >= 0 else { throw SRError(.format, "\(path): bad dataspace for \(dsPath)") }
            var dims = [hsize_t](repeating: 0, count: rank)
            H5Sget_simple_extent_dims(space, &dims, nil)
            return dims.map { Int($0) }
        }
    }

    /// The element type of a dataset.
    public func elementType(of dsPath: String) throws -> HDF5ElementType {
        try withDataset(dsPath) { d in
            let t = H5Dget_type(d)
            defer { H5Tclose(t) }
            let size = H5Tget_size(t)
            switch H5Tget_class(t) {
            case H5T_FLOAT: return size == 4 ? .float32 : (size == 8 ? .float64 : .other)
            case H5T_INTEGER:
                let signed = H5Tget_sign(t) == H5T_SGN_2
                if size == 1 && !signed { return .uint8 }
                if size == 4 && signed { return .int32 }
                if size == 8 && signed { return .int64 }
                return .other
            case H5T_STRING: return .string
            default: return .other
            }
        }
    }

    private func readWhole<T>(_ dsPath: String, type: hid_t, zero: T) throws -> [T] {
        let n = try shape(of: dsPath).reduce(1, *)
        return try withDataset(dsPath) { d in
            var v = [T](repeating: zero, count: n)
            if n == 0 { return v }
            let ok = v.withUnsafeMutableBytes {
                H5Dread(d, type, srh5_s_all(), srh5_s_all(), srh5_p_default(), $0.baseAddress)
            }
            guard ok >= 0 else { throw SRError(.format, "\(path): cannot read dataset \(dsPath) (corrupt, or not numeric?)") }
            return v
        }
    }

    /// Reads a whole numeric dataset as float32 (HDF5 converts other numeric types).
    public func readFloats(_ dsPath: String) throws -> [Float] {
        try readWhole(dsPath, type: srh5_native_float(), zero: Float(0))
    }

    /// Reads a whole numeric dataset as float64.
    public func readDoubles(_ dsPath: String) throws -> [Double] {
        try readWhole(dsPath, type: srh5_native_double(), zero: 0.0)
    }

    /// Reads a whole numeric dataset as int32.
    public func readInt32s(_ dsPath: String) throws -> [Int32] {
        try readWhole(dsPath, type: srh5_native_int32(), zero: Int32(0))
    }

    /// Reads a whole numeric dataset as uint8.
    public func readBytes(_ dsPath: String) throws -> [UInt8] {
        try readWhole(dsPath, type: srh5_native_uint8(), zero: UInt8(0))
    }

    /// Reads a 1-D string dataset (variable- or fixed-length).
    public func readStrings(_ dsPath: String) throws -> [String] {
        try withDataset(dsPath) { d in
            let space = H5Dget_space(d)
            defer { H5Sclose(space) }
            let n = Int(H5Sget_simple_extent_npoints(space))
            let t = H5Dget_type(d)
            defer { H5Tclose(t) }
            guard H5Tget_class(t) == H5T_STRING else { throw SRError(.format, "\(path): \(dsPath) is not a string dataset") }
            if n == 0 { return [] }
            if H5Tis_variable_str(t) > 0 {
                var ptrs = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
                guard H5Dread(d, t, srh5_s_all(), srh5_s_all(), srh5_p_default(), &ptrs) >= 0 else {
                    throw SRError(.format, "\(path): cannot read \(dsPath)")
                }
                defer { ptrs.forEach { free($0) } }
                return ptrs.map { $0.map { String(cString: $0) } ?? "" }
            }
            let size = H5Tget_size(t)
            var buf = [UInt8](repeating: 0, count: size * n)
            guard H5Dread(d, t, srh5_s_all(), srh5_s_all(), srh5_p_default(), &buf) >= 0 else {
                throw SRError(.format, "\(path): cannot read \(dsPath)")
            }
            return (0..<n).map { i in
                let s = buf[(i * size)..<((i + 1) * size)]
                let end = s.firstIndex(of: 0) ?? s.endIndex
                return String(decoding: s[s.startIndex..<end], as: UTF8.self)
            }
        }
    }

    // MARK: - Row (first-dimension) slices

    private func rowIO(_ dsPath: String, start: Int, count: Int, memType: hid_t, elements: Int,
                       write: Bool, _ data: UnsafeMutableRawPointer?) throws {
        let shape = try self.shape(of: dsPath)
        guard !shape.isEmpty, start >= 0, count >= 0, start + count <= shape[0] else {
            throw SRError(.invalidArgument, "\(path): rows \(start)..<\(start + count) outside \(dsPath) \(shape)")
        }
        let rowSize = shape.dropFirst().reduce(1, *)
        guard elements == count * rowSize else {
            throw SRError(.shapeMismatch, "\(path): \(elements) values for \(count) rows of \(dsPath) \(shape)")
        }
        if count == 0 { return }
        try withDataset(dsPath) { d in
            let fspace = H5Dget_space(d)
            defer { H5Sclose(fspace) }
            var off = [hsize_t](repeating: 0, count: shape.count)
            off[0] = hsize_t(start)
            var cnt = shape.map { hsize_t($0) }
            cnt[0] = hsize_t(count)
            H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &off, nil, &cnt, nil)
            let mspace = H5Screate_simple(Int32(cnt.count), &cnt, nil)
            defer { H5Sclose(mspace) }
            let ok = write ? H5Dwrite(d, memType, mspace, fspace, srh5_p_default(), data)
                           : H5Dread(d, memType, mspace, fspace, srh5_p_default(), data)
            guard ok >= 0 else {
                throw SRError(write ? .io : .format, "\(path): cannot \(write ? "write" : "read") rows \(start)..<\(start + count) of \(dsPath)")
            }
        }
    }

    /// Writes rows `start..<start+count` of a dataset from float32 values.
    public func writeRows(_ dsPath: String, start: Int, count: Int, floats: UnsafeBufferPointer<Float>) throws {
        try rowIO(dsPath, start: start, count: count, memType: srh5_native_float(), elements: floats.count,
                  write: true, UnsafeMutableRawPointer(mutating: floats.baseAddress))
    }

    /// Writes rows from uint8 values.
    public func writeRows(_ dsPath: String, start: Int, count: Int, bytes: UnsafeBufferPointer<UInt8>) throws {
        try rowIO(dsPath, start: start, count: count, memType: srh5_native_uint8(), elements: bytes.count,
                  write: true, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    }

    /// Writes rows from int32 values.
    public func writeRows(_ dsPath: String, start: Int, count: Int, int32s: UnsafeBufferPointer<Int32>) throws {
        try rowIO(dsPath, start: start, count: count, memType: srh5_native_int32(), elements: int32s.count,
                  write: true, UnsafeMutableRawPointer(mutating: int32s.baseAddress))
    }

    /// Reads rows `start..<start+count` converted to float32.
    public func readRows(_ dsPath: String, start: Int, count: Int, into out: UnsafeMutableBufferPointer<Float>) throws {
        try rowIO(dsPath, start: start, count: count, memType: srh5_native_float(), elements: out.count,
                  write: false, UnsafeMutableRawPointer(out.baseAddress))
    }

    /// Reads rows converted to int32.
    public func readRows(_ dsPath: String, start: Int, count: Int, into out: UnsafeMutableBufferPointer<Int32>) throws {
        try rowIO(dsPath, start: start, count: count, memType: srh5_native_int32(), elements: out.count,
                  write: false, UnsafeMutableRawPointer(out.baseAddress))
    }
}

/// A mutex for serialising calls into the (non-thread-safe) serial libhdf5.
public final class HDF5Lock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()

    init() {
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(&mutex, &attr)
        pthread_mutexattr_destroy(&attr)
    }

    /// Runs `body` while holding the lock.
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
