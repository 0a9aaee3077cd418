/// A 1-based line and column (in characters) and a 0-based byte offset into a text.
public struct TextPosition: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// The position of `offset` in `bytes`; columns count Unicode scalars, as editors do.
    public static func of(offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> TextPosition {
        TextPosition(line: 1, column: 1, offset: 0)
            .advanced(over: UnsafeBufferPointer(rebasing: bytes[0..<min(offset, bytes.count)]))
    }

    /// The position just after `bytes`, which follow this position in the text.
    public func advanced(over bytes: UnsafeBufferPointer<UInt8>) -> TextPosition {
        var line = line
        var column = column
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return TextPosition(line: line, column: column, offset: offset + bytes.count)
    }

    public var description: String { "\(line):\(column)" }
}
