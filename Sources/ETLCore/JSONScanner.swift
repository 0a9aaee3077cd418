/// A byte-level JSON scanner (RFC 8259) over UTF-8 bytes.
///
/// It parses whole values into `JSONNode`s (for pipeline files), skips values without
/// building them, and decodes single strings, so importers can stream records without
/// building a tree. Errors carry the byte offset; `TextPosition.of` turns it into line:column.
public struct JSONScanner {
    public let bytes: UnsafeBufferPointer<UInt8>
    /// The index of the next byte to read.
    public var index: Int
    /// Arrays and objects nested deeper than this are an error, so hostile input cannot
    /// exhaust the stack.
    public let maxDepth: Int
    private var depth = 0
    /// The last position computed, so that positions asked for in increasing order (as
    /// `parseValue` does) cost one pass over the text in all, not one pass each.
    private var lastPosition = TextPosition(line: 1, column: 1, offset: 0)

    public init(bytes: UnsafeBufferPointer<UInt8>, index: Int = 0, maxDepth: Int = 512) {
        self.bytes = bytes
        self.index = index
        self.maxDepth = maxDepth
    }

    // MARK: - Whitespace and punctuation

    /// Skips JSON whitespace (space, tab, CR, LF).
    @inlinable public mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, without consuming it; `nil` at the end.
    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    /// Consumes `byte` after whitespace, or throws `expected`.
    public mutating func expect(_ byte: UInt8, _ expected: String) throws(JSONSyntaxError) {
        guard peek() == byte else { throw error(expected) }
        index += 1
    }

    /// An error at the current position that names what was expected and what was found.
    public func error(_ expected: String) -> JSONSyntaxError {
        let found: String
        if index >= bytes.count {
            found = "the end of the input"
        } else {
            let byte = bytes[index]
            let shown = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : String(format: byte)
            // Text where a value should start is nearly always a text value someone left
            // unquoted (a name in Chinese, say); the literals true, false and null are lower case.
            let isLetter = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            if expected == "a value", byte >= 0x80 || isLetter {
                found = "text without quotes (starting with \(shown)); a text value must be in double quotes"
            } else {
                found = shown
            }
        }
        return JSONSyntaxError(offset: index, message: "expected \(expected), found \(found)")
    }

    /// The line and column of `offset`, counting on from the last position asked for.
    public mutating func position(at offset: Int) -> TextPosition {
        if offset < lastPosition.offset { lastPosition = TextPosition(line: 1, column: 1, offset: 0) }
        let end = min(offset, bytes.count)
        lastPosition = lastPosition.advanced(over: UnsafeBufferPointer(rebasing: bytes[lastPosition.offset..<end]))
        return TextPosition(line: lastPosition.line, column: lastPosition.column, offset: offset)
    }

    // MARK: - Whole values

    /// Parses one value into a tree, with positions relative to `bytes`.
    public mutating func parseValue() throws(JSONSyntaxError) -> JSONNode {
        guard let first = peek() else { throw error("a value") }
        let nodePosition = position(at: index)
        switch first {
        case UInt8(ascii: "{"):
            try enter()
            index += 1
            var members: [JSONMember] = []
            if peek() == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    guard peek() == UInt8(ascii: "\"") else { throw error("a key in double quotes") }
                    let keyPosition = position(at: index)
                    let key = try readString()
                    try expect(UInt8(ascii: ":"), "':' after the key")
                    let value = try parseValue()
                    members.append(JSONMember(key: key, keyPosition: keyPosition, value: value))
                    if peek() == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect(UInt8(ascii: "}"), "',' or '}'")
                    break
                }
            }
            depth -= 1
            return JSONNode(.object(members), position: nodePosition)
        case UInt8(ascii: "["):
            try enter()
            index += 1
            var elements: [JSONNode] = []
            if peek() == UInt8(ascii: "]") {
                index += 1
            } else {
                while true {
                    elements.append(try parseValue())
                    if peek() == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect(UInt8(ascii: "]"), "',' or ']'")
                    break
                }
            }
            depth -= 1
            return JSONNode(.array(elements), position: nodePosition)
        case UInt8(ascii: "\""):
            return JSONNode(.string(try readString()), position: nodePosition)
        default:
            return JSONNode(try readScalar(), position: nodePosition)
        }
    }

    /// Skips one value, checking its syntax, without building it.
    public mutating func skipValue() throws(JSONSyntaxError) {
        guard let first = peek() else { throw error("a value") }
        switch first {
        case UInt8(ascii: "{"):
            try enter()
            index += 1
            if peek() == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    guard peek() == UInt8(ascii: "\"") else { throw error("a key in double quotes") }
                    try skipString()
                    try expect(UInt8(ascii: ":"), "':' after the key")
                    try skipValue()
                    if peek() == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect(UInt8(ascii: "}"), "',' or '}'")
                    break
                }
            }
            depth -= 1
        case UInt8(ascii: "["):
            try enter()
            index += 1
            if peek() == UInt8(ascii: "]") {
                index += 1
            } else {
                while true {
                    try skipValue()
                    if peek() == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect(UInt8(ascii: "]"), "',' or ']'")
                    break
                }
            }
            depth -= 1
        case UInt8(ascii: "\""):
            try skipString()
        default:
            _ = try readScalar()
        }
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > maxDepth {
            throw JSONSyntaxError(
                offset: index, message: "arrays and objects nested deeper than \(maxDepth) levels", isNestingError: true
            )
        }
    }

    // MARK: - Scalars

    /// Reads `true`, `false`, `null` or a number at the current position.
    public mutating func readScalar() throws(JSONSyntaxError) -> JSONNode.Value {
        skipWhitespace()
        if matchLiteral("true") { return .bool(true) }
        if matchLiteral("false") { return .bool(false) }
        if matchLiteral("null") { return .null }
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            index = start
            throw error("a value")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("a digit after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("a digit in the exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != pointer[offset] {
            return false
        }
        index += count
        return true
    }

    @inline(__always) private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: - Strings

    /// Reads a string at the current position and decodes its escapes.
    public mutating func readString() throws(JSONSyntaxError) -> String {
        try expect(UInt8(ascii: "\""), "'\"'")
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw JSONSyntaxError(
                        offset: start + (UTF8Validation.firstInvalid(slice) ?? 0),
                        message: "a string that is not valid UTF-8",
                        isEncodingError: true)
                }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("a character other than a control character in the string") }
            index += 1
        }
        guard index < bytes.count else { throw error("the closing '\"' of the string") }
        // Slow path: decode escapes into a byte buffer.
        var decoded = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let text = String(validating: decoded, as: UTF8.self) else {
                    throw JSONSyntaxError(
                        offset: start, message: "a string that is not valid UTF-8", isEncodingError: true)
                }
                return text
            }
            if byte < 0x20 { throw error("a character other than a control character in the string") }
            if byte != UInt8(ascii: "\\") {
                decoded.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw error("a low surrogate '\\uDC00'...'\\uDFFF' after a high surrogate") }
                    index += 2
                    let low = try readHex4()
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw error("a low surrogate after a high surrogate")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw JSONSyntaxError(
                        offset: index - 6, message: "a lone low surrogate '\\u\(String(scalar, radix: 16))'")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("a valid Unicode escape") }
                decoded.append(contentsOf: String(Character(unicode)).utf8)
            default:
                index -= 1
                throw error("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
            }
        }
        throw error("the closing '\"' of the string")
    }

    /// Reads a string and returns the range of its raw content between the quotes, after
    /// checking its escapes and its UTF-8. When `hasEscapes` is true the raw bytes still hold
    /// backslash escapes, and `readString` from the same start decodes them.
    public mutating func readRawString() throws(JSONSyntaxError) -> (range: Range<Int>, hasEscapes: Bool) {
        let quote = index
        try skipString()
        let range = (quote + 1)..<(index - 1)
        let content = UnsafeBufferPointer(rebasing: bytes[range])
        if let invalid = UTF8Validation.firstInvalid(content) {
            throw JSONSyntaxError(
                offset: range.lowerBound + invalid, message: "a string that is not valid UTF-8", isEncodingError: true)
        }
        var hasEscapes = false
        for byte in content where byte == UInt8(ascii: "\\") {
            hasEscapes = true
            break
        }
        if hasEscapes {
            // Escapes can still encode an invalid code point (a lone surrogate): decode to check.
            index = quote
            _ = try readString()
        }
        return (range, hasEscapes)
    }

    /// Skips a string, checking its escapes, without decoding it.
    public mutating func skipString() throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "\""), "'\"'")
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if byte < 0x20 { throw error("a character other than a control character in the string") }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    _ = try readHex4()
                default:
                    throw error("a valid escape")
                }
                continue
            }
            index += 1
        }
        throw error("the closing '\"' of the string")
    }

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("four hex digits after '\\u'") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("a hex digit")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}

extension String {
    /// `0xAB`, for naming a byte that is not printable.
    fileprivate init(format byte: UInt8) {
        let hex = String(byte, radix: 16, uppercase: true)
        self = "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
