/// Writes JSON text: string escaping and small objects, for payloads, logs and `--json` output.
public enum JSONWriter {
    /// Appends `text` as a JSON string literal, with quotes and escapes, to `output`.
    public static func appendString(_ text: String, to output: inout String) {
        output.append("\"")
        var needsEscape = false
        for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscape = true
            break
        }
        if !needsEscape {
            output.append(text)
            output.append("\"")
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output.append("\"")
    }

    /// A JSON string literal for `text`.
    public static func string(_ text: String) -> String {
        var output = ""
        appendString(text, to: &output)
        return output
    }

    /// A JSON object of string (or null) members, in the given order.
    public static func object(_ members: [(String, String?)]) -> String {
        var output = "{"
        for (offset, member) in members.enumerated() {
            if offset > 0 { output.append(",") }
            appendString(member.0, to: &output)
            output.append(":")
            if let value = member.1 { appendString(value, to: &output) } else { output.append("null") }
        }
        output.append("}")
        return output
    }
}
