import CHDF5
#if canImport(Glibc)
import Glibc
#endif
import SRSupport

/// Attributes: scalars, arrays and strings on groups and datasets.
extension HDF5File {
    // MARK: - Attributes

    func withObject<T>(_ object: String, _ body: (hid_t) throws -> T) throws -> T {
        let o = H5Oopen(fid, object, srh5_p_default())
        guard o >= 0 else { throw SRError(.format, "\(path): no object \(object)") }
        defer { H5Oclose(o) }
        return try body(o)
    }

    func writeAttribute(_ name: String, on object: String, type: hid_t, dims: [Int],
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
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
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
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        var v = Int64(value)
        try writeAttribute(name, on: object, type: srh5_native_int64(), dims: [], &v)
    }

    /// Sets a double attribute.
    public func setAttribute(_ name: String, _ value: Double, on object: String = "/") throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        var v = value
        try writeAttribute(name, on: object, type: srh5_native_double(), dims: [], &v)
    }

    /// Sets an integer-array attribute (int64).
    public func setAttribute(_ name: String, _ value: [Int], on object: String = "/") throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let v = value.map { Int64($0) }
        try v.withUnsafeBytes {
            try writeAttribute(name, on: object, type: srh5_native_int64(), dims: [v.count], $0.baseAddress)
        }
    }

    /// Sets a double-array attribute.
    public func setAttribute(_ name: String, _ value: [Double], on object: String = "/") throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        try value.withUnsafeBytes {
            try writeAttribute(name, on: object, type: srh5_native_double(), dims: [value.count], $0.baseAddress)
        }
    }

    /// Sets a string-array attribute (variable-length UTF-8).
    public func setAttribute(_ name: String, _ value: [String], on object: String = "/") throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
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
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try withObject(object) { o in
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

    func withAttribute<T>(_ name: String, on object: String, _ body: (hid_t, hid_t, Int) throws -> T) throws -> T? {
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
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try withAttribute(name, on: object) { a, t, n in
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
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try withAttribute(name, on: object) { a, t, n in
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

    func numericAttribute<T: Numeric>(_ name: String, on object: String, type: hid_t, zero: T) throws -> [T]? {
        try withAttribute(name, on: object) { a, t, n in
            let cls = H5Tget_class(t)
            guard cls == H5T_INTEGER || cls == H5T_FLOAT else {
                throw SRError(.format, "\(path): attribute \(name) on \(object) is not numeric")
            }
            var v = [T](repeating: zero, count: n)
            let ok = v.withUnsafeMutableBytes { H5Aread(a, type, $0.baseAddress) }
            guard ok >= 0 else { throw SRError(.format, "\(path): cannot read attribute \(name)") }
            return v
        }
    }

    /// An integer attribute (any integer or float type converted), or nil when absent.
    public func intAttribute(_ name: String, on object: String = "/") throws -> Int? {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        guard let v = try numericAttribute(name, on: object, type: srh5_native_int64(), zero: Int64(0)) else { return nil }
        guard v.count == 1 else { throw SRError(.format, "\(path): attribute \(name) on \(object) is not a scalar") }
        return Int(v[0])
    }

    /// A double attribute, or nil when absent.
    public func doubleAttribute(_ name: String, on object: String = "/") throws -> Double? {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        guard let v = try numericAttribute(name, on: object, type: srh5_native_double(), zero: 0.0) else { return nil }
        guard v.count == 1 else { throw SRError(.format, "\(path): attribute \(name) on \(object) is not a scalar") }
        return v[0]
    }

    /// An integer-array attribute, or nil when absent.
    public func intArrayAttribute(_ name: String, on object: String = "/") throws -> [Int]? {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try numericAttribute(name, on: object, type: srh5_native_int64(), zero: Int64(0))?.map { Int($0) }
    }

    /// A double-array attribute, or nil when absent.
    public func doubleArrayAttribute(_ name: String, on object: String = "/") throws -> [Double]? {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try numericAttribute(name, on: object, type: srh5_native_double(), zero: 0.0)
    }
}
