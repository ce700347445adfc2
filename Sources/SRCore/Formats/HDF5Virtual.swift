import CHDF5
import SRSupport

extension HDF5File {
    /// Creates the virtual dataset `name` of `type` rows shaped `rowShape` over the same-named
    /// datasets of the files `sources` (holding `counts` rows each), interleaved: row `j*S + s` is
    /// row `j` of source `s` for the first `min(counts)` rows, then the remainders in order.
    /// Caller holds `HDF5File.lock`.
    package func createVirtual(_ name: String, type: HDF5ElementType, rowShape: [Int],
                               sources files: [String], counts: [Int]) throws {
        let file = self
        let total = counts.reduce(0, +)
        let fail = SRError(.io, "\(file.path): cannot create virtual dataset \(name)")
        let dims = ([total] + rowShape).map { hsize_t($0) }
        let vspace = H5Screate_simple(Int32(dims.count), dims, nil)
        guard vspace >= 0 else { throw fail }
        defer { H5Sclose(vspace) }
        let dcpl = H5Pcreate(srh5_p_dataset_create())
        guard dcpl >= 0 else { throw fail }
        defer { H5Pclose(dcpl) }
        let shards = counts.count
        let common = counts.min() ?? 0
        let zeros = [hsize_t](repeating: 0, count: dims.count)
        let rest = rowShape.map { hsize_t($0) }
        var tail = shards * common
        for (s, n) in counts.enumerated() where n > 0 {
            let sdims = ([n] + rowShape).map { hsize_t($0) }
            let sspace = H5Screate_simple(Int32(sdims.count), sdims, nil)
            guard sspace >= 0 else { throw fail }
            defer { H5Sclose(sspace) }
            func map(dst start: hsize_t, stride: hsize_t, count: hsize_t, src: hsize_t) throws {
                var vStart = zeros, vStride = [stride] + rest.map { _ in 1 }, vCount = [count] + rest.map { _ in 1 }
                var block = [hsize_t(1)] + rest
                vStart[0] = start
                var sStart = zeros
                sStart[0] = src
                var sCount = [count] + rest
                guard H5Sselect_hyperslab(vspace, H5S_SELECT_SET, &vStart, &vStride, &vCount, &block) >= 0,
                      H5Sselect_hyperslab(sspace, H5S_SELECT_SET, &sStart, nil, &sCount, nil) >= 0,
                      H5Pset_virtual(dcpl, vspace, files[s], name, sspace) >= 0 else { throw fail }
            }
            if common > 0 { try map(dst: hsize_t(s), stride: hsize_t(shards), count: hsize_t(common), src: 0) }
            if n > common {
                try map(dst: hsize_t(tail), stride: 1, count: hsize_t(n - common), src: hsize_t(common))
                tail += n - common
            }
        }
        H5Sselect_all(vspace)
        let d = H5Dcreate2(file.fileID, name, type.nativeType, vspace, srh5_p_default(), dcpl, srh5_p_default())
        guard d >= 0 else { throw fail }
        H5Dclose(d)
    }
}

extension HDF5File {
    /// The distinct source file names of the virtual dataset `dsPath`, in mapping order, as stored
    /// ("." for this file); empty when the dataset is not virtual.
    package func virtualSources(of dsPath: String) throws -> [String] {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try withDataset(dsPath) { d in
            let dcpl = H5Dget_create_plist(d)
            guard dcpl >= 0 else { throw SRError(.format, "\(path): cannot read the creation properties of \(dsPath)") }
            defer { H5Pclose(dcpl) }
            guard H5Pget_layout(dcpl) == H5D_VIRTUAL else { return [] }
            var count = 0
            guard H5Pget_virtual_count(dcpl, &count) >= 0 else {
                throw SRError(.format, "\(path): cannot read the mappings of virtual dataset \(dsPath)")
            }
            var names: [String] = []
            for i in 0..<count {
                let n = H5Pget_virtual_filename(dcpl, i, nil, 0)
                guard n >= 0 else { throw SRError(.format, "\(path): cannot read source \(i) of virtual dataset \(dsPath)") }
                var buf = [CChar](repeating: 0, count: n + 1)
                _ = H5Pget_virtual_filename(dcpl, i, &buf, n + 1)
                let name = String(cString: buf)
                if !names.contains(name) { names.append(name) }
            }
            return names
        }
    }
}
