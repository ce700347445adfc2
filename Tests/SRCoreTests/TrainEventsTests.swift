#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SRCore
import SRTestSupport

/// TensorBoard event files: TFRecord framing with masked CRC32C, and the protobuf fields inside.
/// (Tests/python/check_tensorboard_events.py additionally loads a run with TensorBoard's own EventAccumulator.)
@Suite struct TrainEventsTests {
    /// Splits a TFRecord file into payloads, checking both masked CRCs of every record.
    static func records(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 0
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
        while i < bytes.count {
            guard i + 12 <= bytes.count else { throw SRError(.format, "truncated header at \(i)") }
            let lenBytes = Array(bytes[i..<(i + 8)])
            let len = (0..<8).reduce(0) { $0 | Int(bytes[i + $1]) << (8 * $1) }
            guard u32(i + 8) == CRC32C.masked(CRC32C.checksum(lenBytes)) else { throw SRError(.format, "length CRC at \(i)") }
            let data = Array(bytes[(i + 12)..<(i + 12 + len)])
            guard u32(i + 12 + len) == CRC32C.masked(CRC32C.checksum(data)) else { throw SRError(.format, "data CRC at \(i)") }
            out.append(data)
            i += 16 + len
        }
        return out
    }

    static func contains(_ hay: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard hay.count >= n.count else { return false }
        return (0...(hay.count - n.count)).contains { Array(hay[$0..<($0 + n.count)]) == n }
    }

    @Test func framingAndPayloads() throws {
        let dir = TrainTestSupport.tempDir("events")
        let w = try TensorBoardWriter(folder: dir)
        w.scalar("train/loss", 12.5, step: 7)
        w.histogram("weights/CNN1/kernel", [0.1, -0.2, 0.3, 0.05], step: 7)
        w.image("validation/output", Image(width: 4, height: 3, value: 100), step: 7)
        try w.flush()
        guard let f = fopen(w.path, "rb") else { Issue.record("no event file"); return }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true { let n = fread(&buf, 1, 4096, f); if n <= 0 { break }; bytes += buf[0..<n] }
        fclose(f)
        let recs = try Self.records(bytes)
        #expect(recs.count == 4)
        #expect(Self.contains(recs[0], "brain.Event:2"))
        // Event.step (field 2, varint 7) and the scalar: tag + simple_value 12.5 as float (fixed32, field 2).
        #expect(Self.contains(recs[1], "train/loss"))
        let f125: [UInt8] = [0x15, 0x00, 0x00, 0x48, 0x41]
        #expect((0...(recs[1].count - 5)).contains { Array(recs[1][$0..<($0 + 5)]) == f125 })
        #expect(recs[1][0] == 0x09 && recs[1][9] == 0x10 && recs[1][10] == 7) // wall_time (double), then step
        #expect(Self.contains(recs[2], "weights/CNN1/kernel"))
        #expect(Self.contains(recs[3], "PNG"))
        // A corrupted byte is detected.
        var bad = bytes
        bad[bad.count - 6] ^= 0xFF
        #expect(throws: SRError.self) { _ = try Self.records(bad) }
    }
}
