/// A streaming encoder of any writable format: append strips of rows, then `finish()` (which
/// renames the temporary file into place); released before that, it leaves no output.
public protocol ImageRowSink: AnyObject {
    /// Appends all rows of `strip` (planar, 0...255 scale).
    func append(_ strip: Image) throws
    /// Finishes the file and renames it into place.
    func finish() throws
}

extension PNGRowWriter: ImageRowSink {}
