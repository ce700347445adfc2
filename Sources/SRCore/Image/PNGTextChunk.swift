/// A PNG text chunk (tEXt, zTXt or iTXt) carried from a PNG input to a PNG output
/// (docs/image-formats.md). Keyword and text are the chunk's bytes: Latin-1, UTF-8 for iTXt.
public struct PNGTextChunk: Equatable, Sendable {
    /// The chunk kind, as libpng numbers it.
    public enum Kind: Int32, Sendable {
        case tEXt = -1, zTXt = 0, iTXt = 1, compressedITXt = 2
    }
    /// tEXt, zTXt, iTXt or compressed iTXt.
    public var kind: Kind
    /// The keyword (1...79 bytes).
    public var keyword: [UInt8]
    /// The text (decompressed).
    public var text: [UInt8]
    /// iTXt's language tag and translated keyword (empty otherwise).
    public var language: [UInt8]
    public var translatedKeyword: [UInt8]

    /// A chunk from its parts.
    public init(kind: Kind, keyword: [UInt8], text: [UInt8], language: [UInt8] = [], translatedKeyword: [UInt8] = []) {
        self.kind = kind
        self.keyword = keyword
        self.text = text
        self.language = language
        self.translatedKeyword = translatedKeyword
    }
}
