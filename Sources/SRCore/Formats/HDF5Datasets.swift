import CHDF5
#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// Datasets: whole-array and row-sliced reads and writes.
extension HDF5File {
    // MARK: - Datasets

    /// Creates a dataset of `shape`, optionally chunked (chunk dims clipped to the shape).
    public func createDataset(_ dsPath: String, type: HDF5ElementType, shape: [Int], chunk: [Int]? = nil) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
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

    func withDataset<T>(_ dsPath: String, _ body: (hid_t) throws -> T) throws -> T {
        guard exists(dsPath) else { throw SRError(.format, "\(path): missing dataset \(dsPath)") }
        let d = H5Dopen2(fid, dsPath, srh5_p_default())
        guard d >= 0 else { throw SRError(.format, "\(path): cannot open dataset \(dsPath)") }
        defer { H5Dclose(d) }
        return try body(d)
    }

    func writeWhole(_ dsPath: String, type: HDF5ElementType, shape: [Int], chunk: [Int]?,
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
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        try floats.withUnsafeBytes {
            try writeWhole(dsPath, type: .float32, shape: shape, chunk: chunk, count: floats.count, $0.baseAddress)
        }
    }

    /// Writes a whole int32 dataset.
    public func write(_ dsPath: String, int32s: [Int32], shape: [Int], chunk: [Int]? = nil) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        try int32s.withUnsafeBytes {
            try writeWhole(dsPath, type: .int32, shape: shape, chunk: chunk, count: int32s.count, $0.baseAddress)
        }
    }

    /// Writes a whole uint8 dataset.
    public func write(_ dsPath: String, bytes: [UInt8], shape: [Int], chunk: [Int]? = nil) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        try bytes.withUnsafeBytes {
            try writeWhole(dsPath, type: .uint8, shape: shape, chunk: chunk, count: bytes.count, $0.baseAddress)
        }
    }

    /// Writes a 1-D dataset of variable-length UTF-8 strings.
    public func write(_ dsPath: String, strings: [String]) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
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
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try withDataset(dsPath) { d in
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
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try withDataset(dsPath) { d in
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

    func readWhole<T>(_ dsPath: String, type: hid_t, zero: T) throws -> [T] {
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
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try readWhole(dsPath, type: srh5_native_float(), zero: Float(0))
    }

    /// Reads a whole numeric dataset as float64.
    public func readDoubles(_ dsPath: String) throws -> [Double] {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try readWhole(dsPath, type: srh5_native_double(), zero: 0.0)
    }

    /// Reads a whole numeric dataset as int32.
    public func readInt32s(_ dsPath: String) throws -> [Int32] {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try readWhole(dsPath, type: srh5_native_int32(), zero: Int32(0))
    }

    /// Reads a whole numeric dataset as uint8.
    public func readBytes(_ dsPath: String) throws -> [UInt8] {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try readWhole(dsPath, type: srh5_native_uint8(), zero: UInt8(0))
    }

    /// Reads a 1-D string dataset (variable- or fixed-length).
    public func readStrings(_ dsPath: String) throws -> [String] {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try withDataset(dsPath) { d in
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

    func rowIO(_ dsPath: String, start: Int, count: Int, memType: hid_t, elements: Int,
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
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        try rowIO(dsPath, start: start, count: count, memType: srh5_native_float(), elements: floats.count,
                  write: true, UnsafeMutableRawPointer(mutating: floats.baseAddress))
    }

    /// Writes rows from uint8 values.
    public func writeRows(_ dsPath: String, start: Int, count: Int, bytes: UnsafeBufferPointer<UInt8>) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        try rowIO(dsPath, start: start, count: count, memType: srh5_native_uint8(), elements: bytes.count,
                  write: true, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    }

    /// Writes rows from int32 values.
    public func writeRows(_ dsPath: String, start: Int, count: Int, int32s: UnsafeBufferPointer<Int32>) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        try rowIO(dsPath, start: start, count: count, memType: srh5_native_int32(), elements: int32s.count,
                  write: true, UnsafeMutableRawPointer(mutating: int32s.baseAddress))
    }

    /// Reads rows `start..<start+count` converted to float32.
    public func readRows(_ dsPath: String, start: Int, count: Int, into out: UnsafeMutableBufferPointer<Float>) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        try rowIO(dsPath, start: start, count: count, memType: srh5_native_float(), elements: out.count,
                  write: false, UnsafeMutableRawPointer(out.baseAddress))
    }

    /// Reads rows converted to int32.
    public func readRows(_ dsPath: String, start: Int, count: Int, into out: UnsafeMutableBufferPointer<Int32>) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        try rowIO(dsPath, start: start, count: count, memType: srh5_native_int32(), elements: out.count,
                  write: false, UnsafeMutableRawPointer(out.baseAddress))
    }
}
