import CModels
import SRCore
#if canImport(Glibc)
import Glibc
#endif

/// An `sr_options` struct, validated and with defaults resolved.
struct CallOptions {
    /// Worker threads (>= 1).
    var threads = 1
    /// LR tile edge; 0 = automatic.
    var tileSize = 0
    /// Dihedral transforms averaged (1 = off).
    var ensemble = 1
    /// zlib level of written PNGs (`sr upscale --compression`, default 3).
    var pngCompression = 3
    /// Relays progress to the host; nil when no callback was given.
    var progress: ProgressRelay?
    /// The pixel limit of decoded PNG files (`PixelLimit`; 0 = none), from `max_pixels`.
    var maxPixels = PixelLimit.defaultMaxPixels

    /// sizeof(sr_options) in version 0.1 (LP64): the smallest struct accepted, forever. Fields added
    /// later must be read only when `struct_size` covers them (older hosts get their defaults).
    static let minimumStructSize = 40
    /// sizeof(sr_options) of each version: 0.1, then with max_pixels.
    static let versionSizes = [minimumStructSize, MemoryLayout<sr_options>.size]
    /// Upper bounds that keep the engine's arithmetic far from overflow.
    static let maxThreads = 1024
    static let maxTile = 1 << 20

    /// Reads `options` (NULL = defaults): only the `struct_size` bytes the host's struct has (a host
    /// built against an older header has a shorter struct); fields beyond them keep their defaults.
    init(_ options: UnsafePointer<sr_options>?) throws {
        threads = CallOptions.onlineCPUs
        guard let options else { return }
        let size = UnsafeRawPointer(options).load(as: Int.self)
        guard size >= CallOptions.minimumStructSize else {
            throw invalid("options->struct_size \(UInt(bitPattern: size)) is smaller than version 0.1's sizeof(sr_options) = \(CallOptions.minimumStructSize); initialise with SR_OPTIONS_INIT or sr_options_init()")
        }
        // Every version's struct ends on a field: a size between two versions' is not a struct at all.
        guard size >= MemoryLayout<sr_options>.size || CallOptions.versionSizes.contains(size) else {
            throw invalid("options->struct_size \(size) is not the size of any version of sr_options (\(CallOptions.versionSizes.map(String.init).joined(separator: ", ")) or more); initialise with SR_OPTIONS_INIT or sr_options_init()")
        }
        var o = sr_options()
        withUnsafeMutableBytes(of: &o) { $0.copyMemory(from: UnsafeRawBufferPointer(start: options, count: min(size, $0.count))) }
        guard (0...CallOptions.maxThreads).contains(Int(o.threads)) else {
            throw invalid("options->threads \(o.threads) must be 0 (all cores) or 1...\(CallOptions.maxThreads)")
        }
        if o.threads > 0 { threads = Int(o.threads) }
        guard (0...CallOptions.maxTile).contains(Int(o.tile_size)) else {
            throw invalid("options->tile_size \(o.tile_size) must be 0 (automatic) or 1...\(CallOptions.maxTile)")
        }
        tileSize = Int(o.tile_size)
        guard (0...8).contains(o.self_ensemble) else {
            throw invalid("options->self_ensemble \(o.self_ensemble) must be 0 or 1 (off) or 2...8 transforms")
        }
        ensemble = max(1, Int(o.self_ensemble))
        guard (-1...9).contains(o.png_compression) else {
            throw invalid("options->png_compression \(o.png_compression) must be 0 (default), 1...9 (zlib level) or -1 (stored)")
        }
        if o.png_compression != 0 { pngCompression = o.png_compression < 0 ? 0 : Int(o.png_compression) }
        if let fn = o.progress { progress = ProgressRelay(fn, o.user_data) }
        // max_pixels (appended after 0.1): 0 = default, >= Int.max (SR_NO_PIXEL_LIMIT) = none.
        if size >= MemoryLayout<sr_options>.offset(of: \.max_pixels)! + 8, o.max_pixels != 0 {
            maxPixels = o.max_pixels >= UInt64(Int.max) ? 0 : Int(o.max_pixels)
        }
    }

    /// Cores available to this process (at least 1).
    static var onlineCPUs: Int {
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? min(n, maxThreads) : 1
    }
}

/// Calls the host's progress callback one call at a time, with non-decreasing fractions, and
/// remembers a cancel request.
final class ProgressRelay: @unchecked Sendable {
    private let fn: sr_progress_fn
    private let userData: UnsafeMutableRawPointer?
    private let mutex = Lock()
    private var last = -1.0
    private var stopped = false

    init(_ fn: @escaping sr_progress_fn, _ userData: UnsafeMutableRawPointer?) {
        self.fn = fn
        self.userData = userData
    }

    /// Reports `fraction` (clamped to 0...1); returns false once the host has asked to cancel.
    func report(_ fraction: Double) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        if stopped { return false }
        let f = fraction.isNaN ? 0 : min(1, max(0, fraction))
        guard f > last else { return true }
        last = f
        if fn(userData, f) != 0 { stopped = true }
        return !stopped
    }

    /// Whether the host asked to cancel.
    var cancelled: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return stopped
    }
}
