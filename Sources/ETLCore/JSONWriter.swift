/// Writes JSON text: string escaping and small objects, for payloads, logs and `--json` output.
public enum JSONWriter {
    /// Appends `text` as a JSON string literal, with quotes and escapes, to `output`.
    public static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(bytes: $0, to: &output) }
    }

    /// Appends UTF-8 `bytes` as a JSON string literal, with quotes and escapes, to `output`.
    public static func appendString(bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var start = 0
        for (index, byte) in bytes.enumerated()
        where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
            start = index + 1
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            case 0x09: output.append(UInt8(ascii: "t"))
            default:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [
                    UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)],
                ])
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        output.append(UInt8(ascii: "\""))
    }

    /// Appends a JSON object of string (or null) members, in the given order, to `output`.
    public static func appendObject(_ members: [(String, String?)], to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        for (offset, member) in members.enumerated() {
            if offset > 0 { output.append(UInt8(ascii: ",")) }
            appendString(member.0, to: &output)
            output.append(UInt8(ascii: ":"))
            if let value = member.1 {
                appendString(value, to: &output)
            } else {
                output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
            }
        }
        output.append(UInt8(ascii: "}"))
    }

    /// A JSON string literal for `text`.
    public static func string(_ text: String) -> String {
        var output: [UInt8] = []
        appendString(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// A JSON object of string (or null) members, in the given order.
    public static func object(_ members: [(String, String?)]) -> String {
        var output: [UInt8] = []
        appendObject(members, to: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
