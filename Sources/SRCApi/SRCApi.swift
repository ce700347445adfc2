// libsrcore's C entry points (include/srcore.h). Every function here is `@_cdecl` and `public`
// (otherwise it is silently missing from the .so), validates every argument, and turns errors into
// status codes plus a per-thread message: a trap inside the library would kill the host.
import CModels
import SRCore

private let versionString: StaticString = "0.1.0"

/// SR_VERSION_NUMBER of include/srcore.h: MAJOR * 10000 + MINOR * 100 + PATCH.
@_cdecl("sr_version_number")
public func sr_version_number() -> UInt32 { 100 }

/// The version as a static C string.
@_cdecl("sr_version_string")
public func sr_version_string() -> UnsafePointer<CChar> { cString(versionString) }

/// A static name for a status code.
@_cdecl("sr_status_string")
public func sr_status_string(_ status: Int32) -> UnsafePointer<CChar> {
    let s: StaticString
    switch status {
    case 0: s = "ok"
    case 1: s = "invalid argument"
    case 2: s = "I/O error"
    case 3: s = "format error"
    case 4: s = "unsupported"
    case 5: s = "shape mismatch"
    case 6: s = "out of memory"
    case 7: s = "cancelled"
    case 8: s = "internal error"
    case 9: s = "already exists"
    default: s = "unknown status"
    }
    return cString(s)
}

/// Fills the 0.1 fields of an options struct with the defaults: hosts built against version 0.1 (and
/// bindings calling the symbol) have a 40-byte struct; srcore.h's `sr_options_init` macro calls
/// `sr_options_init_size` with the host's sizeof instead.
@_cdecl("sr_options_init")
public func sr_options_init(_ options: UnsafeMutablePointer<sr_options>?) {
    sr_options_init_size(options, CallOptions.minimumStructSize)
}

/// Zero-fills `size` bytes of the host's options struct (all defaults) and sets struct_size = size.
@_cdecl("sr_options_init_size")
public func sr_options_init_size(_ options: UnsafeMutablePointer<sr_options>?, _ size: Int) {
    guard let options, size >= MemoryLayout<Int>.size else { return }
    let raw = UnsafeMutableRawPointer(options)
    raw.initializeMemory(as: UInt8.self, repeating: 0, count: size)
    raw.storeBytes(of: size, as: Int.self)
}

/// Bytes per pixel of a format, 0 when unknown.
@_cdecl("sr_format_bytes_per_pixel")
public func sr_format_bytes_per_pixel(_ format: Int32) -> Int {
    PixelFormat(rawValue: format)?.bytesPerPixel ?? 0
}

func cString(_ s: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
}
