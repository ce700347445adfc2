import CHDF5
import SRSupport

extension HDF5File {
    /// The kind of value an attribute holds.
    package enum AttributeKind: Sendable { case string, integer, float, other }

    /// The kind and element count of attribute `name`, or nil when absent.
    package func attributeKind(_ name: String, on object: String = "/") throws -> (kind: AttributeKind, count: Int)? {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return try withAttribute(name, on: object) { _, t, n in
            switch H5Tget_class(t) {
            case H5T_STRING: return (.string, n)
            case H5T_INTEGER: return (.integer, n)
            case H5T_FLOAT: return (.float, n)
            default: return (.other, n)
            }
        }
    }

    /// Attribute `name` as display text ("3", "[1, 2]", "x2", `["a", "b"]`), or nil when absent;
    /// values of other types show as "(unsupported type)".
    package func attributeText(_ name: String, on object: String = "/") throws -> String? {
        guard let (kind, count) = try attributeKind(name, on: object) else { return nil }
        switch kind {
        case .string:
            if count == 1, let s = try stringAttribute(name, on: object) { return s }
            return try stringArrayAttribute(name, on: object).map { "\($0)" }
        case .integer:
            return try intArrayAttribute(name, on: object).map { $0.count == 1 ? "\($0[0])" : "\($0)" }
        case .float:
            return try doubleArrayAttribute(name, on: object).map { $0.count == 1 ? "\($0[0])" : "\($0)" }
        case .other:
            return "(unsupported type)"
        }
    }
}
