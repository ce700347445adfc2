import Testing
@testable import SRCore
import SRTestSupport

/// CRC-32C against published vectors (RFC 3720 B.4, the "check" value) and a bitwise reference.
@Suite struct TFBundleCRCTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    /// Bit-at-a-time CRC-32C, the definition.
    private func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        }
        return ~c
    }

    @Test func matchesBitwiseAtAllLengthsAndInPieces() {
        var g = SeededGenerator(seed: 7)
        let data = (0..<300).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 255, 300] {
            let part = Array(data[0..<n])
            #expect(CRC32C.checksum(part) == bitwise(part), "length \(n)")
        }
        let whole = CRC32C.checksum(data)
        let first = data[0..<123].withUnsafeBytes { CRC32C.update(0, $0) }
        let both = data[123...].withUnsafeBytes { CRC32C.update(first, $0) }
        #expect(both == whole)
    }

    @Test func maskRoundTripsAndMatchesLevelDB() {
        // LevelDB crc32c_test: Mask(crc) != crc, Unmask(Mask(crc)) == crc.
        let crc = CRC32C.checksum(Array("foo".utf8))
        #expect(CRC32C.masked(crc) != crc)
        #expect(CRC32C.unmasked(CRC32C.masked(crc)) == crc)
        #expect(CRC32C.unmasked(CRC32C.unmasked(CRC32C.masked(CRC32C.masked(crc)))) == crc)
        // masked = rotr15(crc) + 0xa282ead8, checked on a hand-computed value.
        #expect(CRC32C.masked(0) == 0xA282_EAD8)
        #expect(CRC32C.masked(0x0000_8000) == 0xA282_EAD9)
    }
}
