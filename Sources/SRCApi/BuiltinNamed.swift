import CModels
import SRCore
import Glibc

/// The builtin model families: "compact" (Models/dcscn-x<scale>) and "best" (Models/dcscn-best-x<scale>).
enum BuiltinFamily: String, CaseIterable {
    case compact, best

    /// The C name (NUL-terminated) parsed without Foundation; nil for NULL or an unknown name.
    init?(cName: UnsafePointer<CChar>?) {
        guard let cName else { return nil }
        var bytes: [UInt8] = []
        var p = cName
        while p.pointee != 0 && bytes.count <= 16 { bytes.append(UInt8(bitPattern: p.pointee)); p += 1 }
        self.init(rawValue: String(decoding: bytes, as: UTF8.self))
    }

    /// The embedded bytes of this family's model for `scale`, if compiled in.
    func bytes(scale: Int32) -> UnsafeRawBufferPointer? {
        var data: UnsafePointer<UInt8>? = nil
        var size = 0
        let found = self == .compact ? srm_builtin_model(scale, &data, &size) : srm_builtin_model_best(scale, &data, &size)
        guard found != 0, let data, size > 0 else { return nil }
        return UnsafeRawBufferPointer(start: data, count: size)
    }

    var fileName: String { self == .compact ? "dcscn-x" : "dcscn-best-x" }
}

/// Loads a builtin model by family name and scale.
@_cdecl("sr_model_load_builtin_named")
public func sr_model_load_builtin_named(_ name: UnsafePointer<CChar>?, _ scale: Int32,
                                        _ model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    boundary("sr_model_load_builtin_named") {
        guard let model else { throw invalid("model (the output pointer) is NULL") }
        model.pointee = nil
        guard name != nil else { throw invalid("name is NULL (use \"compact\" or \"best\")") }
        guard let family = BuiltinFamily(cName: name) else { throw invalid("unknown builtin model name (use \"compact\" or \"best\")") }
        guard let bytes = family.bytes(scale: scale) else {
            throw SRError(.unsupported, "no builtin \(family.rawValue) model for scale \(scale) in this build of libsrcore")
        }
        try ModelHandle.publish(model) {
            try WeightsFile.readSafeTensors(bytes: bytes, name: "<builtin \(family.fileName)\(scale).safetensors>")
        }
    }
}

/// Whether the builtin model `name` of `scale` exists.
@_cdecl("sr_builtin_model_named_available")
public func sr_builtin_model_named_available(_ name: UnsafePointer<CChar>?, _ scale: Int32) -> Int32 {
    BuiltinFamily(cName: name)?.bytes(scale: scale) != nil ? 1 : 0
}
