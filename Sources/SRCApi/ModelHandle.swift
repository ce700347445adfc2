import CModels
import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// What an `sr_model *` points to: an immutable network, shared by any number of threads.
final class ModelHandle {
    let parameters: DCSCNParameters
    let engine: Engine

    init(_ parameters: DCSCNParameters) throws {
        self.parameters = parameters
        self.engine = try Engine(parameters)
    }

    var config: DCSCNConfig { parameters.config }

    /// The handle behind a C pointer (NULL -> nil). The pointer must come from sr_model_load*.
    static func from(_ p: OpaquePointer?) -> ModelHandle? {
        guard let p else { return nil }
        return Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    static func required(_ p: OpaquePointer?) throws -> ModelHandle {
        guard let m = from(p) else { throw invalid("model is NULL") }
        return m
    }

    /// Stores a new retained handle (or NULL when `load` throws) into `out`.
    static func publish(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ load: () throws -> DCSCNParameters) throws {
        guard let out else { throw invalid("model (the output pointer) is NULL") }
        out.pointee = nil
        let handle = try ModelHandle(try load())
        out.pointee = OpaquePointer(Unmanaged.passRetained(handle).toOpaque())
    }
}

/// Loads a safetensors weights file (HDF5 is refused: docs/weights.md, "What srcore trusts").
@_cdecl("sr_model_load")
public func sr_model_load(_ path: UnsafePointer<CChar>?, _ model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    boundary("sr_model_load") {
        model?.pointee = nil
        guard let path else { throw invalid("path is NULL") }
        let p = String(cString: path)
        guard !p.isEmpty else { throw invalid("path is empty") }
        try ModelHandle.publish(model) { try WeightsFile.readSafeTensors(path: p) }
    }
}

/// Loads a safetensors weights file image from memory (HDF5 is refused).
@_cdecl("sr_model_load_memory")
public func sr_model_load_memory(_ data: UnsafeRawPointer?, _ size: Int,
                                 _ model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    boundary("sr_model_load_memory") {
        model?.pointee = nil
        guard let data else { throw invalid("data is NULL") }
        guard size > 0 else { throw invalid("size \(UInt(bitPattern: size)) must be positive and fit in ssize_t") }
        let bytes = UnsafeRawBufferPointer(start: data, count: size)
        try ModelHandle.publish(model) {
            try WeightsFile.readSafeTensors(bytes: bytes, name: "<memory: \(size) bytes>")
        }
    }
}

/// Loads the builtin model of a scale.
@_cdecl("sr_model_load_builtin")
public func sr_model_load_builtin(_ scale: Int32, _ model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    boundary("sr_model_load_builtin") {
        guard let model else { throw invalid("model (the output pointer) is NULL") }
        model.pointee = nil
        var data: UnsafePointer<UInt8>? = nil
        var size = 0
        guard srm_builtin_model(scale, &data, &size) != 0, let data, size > 0 else {
            throw SRError(.unsupported, "no builtin model for scale \(scale) in this build of libsrcore")
        }
        let bytes = UnsafeRawBufferPointer(start: data, count: size)
        try ModelHandle.publish(model) {
            try WeightsFile.readSafeTensors(bytes: bytes, name: "<builtin dcscn-x\(scale).safetensors>")
        }
    }
}

/// Whether a builtin model of `scale` exists.
@_cdecl("sr_builtin_model_available")
public func sr_builtin_model_available(_ scale: Int32) -> Int32 {
    srm_builtin_model(scale, nil, nil) != 0 ? 1 : 0
}

/// Frees a model (NULL is a no-op).
@_cdecl("sr_model_free")
public func sr_model_free(_ model: OpaquePointer?) {
    guard let model else { return }
    Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(model)).release()
}

/// The model's scale, 0 for NULL.
@_cdecl("sr_model_scale")
public func sr_model_scale(_ model: OpaquePointer?) -> Int32 {
    guard let m = ModelHandle.from(model) else { return 0 }
    return Int32(clamping: m.config.scale)
}

/// The receptive field in LR pixels, 0 for NULL.
@_cdecl("sr_model_receptive_field")
public func sr_model_receptive_field(_ model: OpaquePointer?) -> Int32 {
    guard let m = ModelHandle.from(model) else { return 0 }
    return Int32(clamping: m.config.receptiveField)
}

/// sizeof(sr_model_info) in version 0.1 (LP64), the smallest accepted forever; fields added later are
/// written only when `struct_size` covers them.
private let modelInfoMinimumSize = 64

/// Fills an sr_model_info.
@_cdecl("sr_model_get_info")
public func sr_model_get_info(_ model: OpaquePointer?, _ info: UnsafeMutablePointer<sr_model_info>?) -> Int32 {
    boundary("sr_model_get_info") {
        let m = try ModelHandle.required(model)
        guard let info else { throw invalid("info is NULL") }
        let size = info.pointee.struct_size
        guard size >= modelInfoMinimumSize else {
            throw invalid("info->struct_size \(size) is smaller than sizeof(sr_model_info) = \(modelInfoMinimumSize); set it before the call")
        }
        let c = m.config
        info.pointee = sr_model_info(
            struct_size: size,
            scale: Int32(clamping: c.scale),
            receptive_field: Int32(clamping: c.receptiveField),
            feature_layers: Int32(clamping: c.featureWidths.count),
            first_feature_width: Int32(clamping: c.featureWidths.first ?? 0),
            last_feature_width: Int32(clamping: c.featureWidths.last ?? 0),
            nin_a: Int32(clamping: c.ninA),
            nin_b: Int32(clamping: c.ninB),
            output_channels: Int32(clamping: c.outputChannels),
            kernel_size: Int32(clamping: c.kernelSize),
            conv_layers: Int32(clamping: c.layers.count),
            parameter_count: Int64(clamping: c.parameterCount),
            macs_per_lr_pixel: Int64(clamping: c.macsPerLRPixel))
    }
}

/// Copies the feature widths.
@_cdecl("sr_model_feature_widths")
public func sr_model_feature_widths(_ model: OpaquePointer?, _ widths: UnsafeMutablePointer<Int32>?,
                                    _ capacity: Int, _ count: UnsafeMutablePointer<Int>?) -> Int32 {
    boundary("sr_model_feature_widths") {
        let m = try ModelHandle.required(model)
        let w = m.config.featureWidths
        count?.pointee = w.count
        guard capacity != 0 else { return }
        guard let widths else { throw invalid("widths is NULL but capacity is \(UInt(bitPattern: capacity))") }
        guard capacity < 0 || capacity >= w.count else { // negative = a huge size_t
            throw invalid("capacity \(capacity) is smaller than the \(w.count) feature layers")
        }
        for (i, v) in w.enumerated() { widths[i] = Int32(clamping: v) }
    }
}
