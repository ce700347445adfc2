import SRSupport

/// What this CPU is, for every performance figure: vendor, family/model (as /proc/cpuinfo gives
/// them), the model name, the microarchitecture where it is known, and the data cache sizes the
/// kernel reports (/sys/devices/system/cpu/cpu0/cache).
package struct CPUInfo: Equatable, Sendable {
    package var vendor = ""
    package var family: Int?
    package var model: Int?
    package var modelName = ""
    /// Cache sizes in bytes by level (1 = L1 data, 2, 3), as the kernel reports them for cpu0.
    package var caches: [Int: Int] = [:]

    package init(vendor: String = "", family: Int? = nil, model: Int? = nil, modelName: String = "", caches: [Int: Int] = [:]) {
        self.vendor = vendor; self.family = family; self.model = model; self.modelName = modelName; self.caches = caches
    }

    /// The CPU this process runs on (fields stay empty where /proc or /sys cannot be read).
    package static func current() -> CPUInfo {
        var info = optionalText("/proc/cpuinfo", limit: 1 << 16).map(parse) ?? CPUInfo()
        info.caches = cacheSizes()
        return info
    }

    /// Fields of the first processor block of a /proc/cpuinfo text.
    package static func parse(_ text: String) -> CPUInfo {
        var info = CPUInfo()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }   // the first processor's block ends at a blank line
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingSpaces, value = line[line.index(after: colon)...].trimmingSpaces
            switch key {
            case "vendor_id": info.vendor = value
            case "cpu family": info.family = Int(value)
            case "model": info.model = Int(value)
            case "model name": info.modelName = value
            default: break
            }
        }
        return info
    }

    /// The microarchitecture for the families whose FMA latency and caches the kernels care about.
    package var microarchitecture: String? {
        guard let f = family, let m = model else { return nil }
        switch (vendor, f) {
        case ("AuthenticAMD", 23): return m >= 0x30 ? "Zen 2" : "Zen/Zen+"
        case ("AuthenticAMD", 25): return (0x10...0x1f).contains(m) || (0x60...0xaf).contains(m) ? "Zen 4" : "Zen 3"
        case ("AuthenticAMD", 26): return "Zen 5"
        default: return nil
        }
    }

    /// One line for benchmark output: `AMD EPYC (AuthenticAMD family 26 model 2, Zen 5; L1d 48 KiB, L2 1024 KiB, L3 32768 KiB)`.
    package var description: String {
        var parts: [String] = []
        var id = vendor.isEmpty ? "" : vendor + " "
        if let f = family { id += "family \(f)" }
        if let m = model { id += " model \(m)" }
        if !id.isEmpty { parts.append(id) }
        if let u = microarchitecture { parts[parts.count - 1] += ", " + u }
        let cache = caches.keys.sorted().map { "L\($0)\($0 == 1 ? "d" : "") \(caches[$0]! / 1024) KiB" }
        if !cache.isEmpty { parts.append(cache.joined(separator: ", ")) }
        let name = modelName.isEmpty ? "unknown CPU" : modelName
        return parts.isEmpty ? name : "\(name) (\(parts.joined(separator: "; ")))"
    }

    /// Data and unified cache sizes of cpu0 by level, from /sys ("32K", "1024K", "32M").
    private static func cacheSizes() -> [Int: Int] {
        var out: [Int: Int] = [:]
        for index in 0..<8 {
            let dir = "/sys/devices/system/cpu/cpu0/cache/index\(index)"
            guard let type = optionalText(dir + "/type")?.trimmingSpaces, type != "Instruction",
                  let levelText = optionalText(dir + "/level"), let level = Int(levelText.trimmingSpaces),
                  let sizeText = optionalText(dir + "/size"), let size = parseSize(sizeText.trimmingSpaces)
            else { continue }
            out[level] = size
        }
        return out
    }

    /// The text of a /proc or /sys file, or nil where it cannot be read: the description is
    /// informative only, so a field the kernel does not expose stays empty instead of failing a benchmark.
    private static func optionalText(_ path: String, limit: Int = 64) -> String? {
        do { return try FileSystem.readText(path, limit: limit) } catch { return nil }
    }

    /// "48K" -> 49152, "32M" -> 33554432, "512" -> 512.
    package static func parseSize(_ text: String) -> Int? {
        guard let last = text.last else { return nil }
        let factor = last == "K" ? 1024 : last == "M" ? 1 << 20 : last == "G" ? 1 << 30 : 1
        return Int(factor == 1 ? Substring(text) : text.dropLast()).map { $0 * factor }
    }
}

private extension StringProtocol {
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
