import ETLCore

/// Reads one JSON record object into slots: strings as decoded, numbers and booleans as
/// written, nested objects and arrays as their JSON text, null and "" as unknown.
struct JSONRecordExtractor {
    private let slots: FieldSlots

    init(slots: FieldSlots) {
        self.slots = slots
    }

    enum Outcome {
        case values([String?])
        /// The value is valid JSON but not an object; names what it is.
        case notAnObject(String)
    }

    /// Reads the value at the scanner's position, which must be complete in its bytes.
    func extract(_ scanner: inout JSONScanner) throws(JSONSyntaxError) -> Outcome {
        guard scanner.peek() == UInt8(ascii: "{") else {
            let found: String
            switch scanner.peek() {
            case UInt8(ascii: "["): found = "an array"
            case UInt8(ascii: "\""): found = "a string"
            case UInt8(ascii: "t"), UInt8(ascii: "f"): found = "a boolean"
            case UInt8(ascii: "n"): found = "null"
            default: found = "a number"
            }
            try scanner.skipValue()
            return .notAnObject(found)
        }
        var values = [String?](repeating: nil, count: slots.names.count)
        scanner.index += 1
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.index += 1
            return .values(values)
        }
        while true {
            guard scanner.peek() == UInt8(ascii: "\"") else { throw scanner.error("a key in double quotes") }
            let key = try scanner.readString()
            try scanner.expect(UInt8(ascii: ":"), "':' after the key")
            let slot = slots.slot(of: key)
            switch scanner.peek() {
            case UInt8(ascii: "\"")?:
                if let slot {
                    let text = try scanner.readString()
                    values[slot] = text.isEmpty ? nil : text
                } else {
                    try scanner.skipString()
                }
            case UInt8(ascii: "{")?, UInt8(ascii: "[")?:
                let start = scanner.index
                try scanner.skipValue()
                if let slot {
                    values[slot] = String(
                        decoding: UnsafeBufferPointer(rebasing: scanner.bytes[start..<scanner.index]), as: UTF8.self)
                }
            default:
                switch try scanner.readScalar() {
                case .bool(let flag): if let slot { values[slot] = flag ? "true" : "false" }
                case .number(let text): if let slot { values[slot] = text }
                default: if let slot { values[slot] = nil }
                }
            }
            if scanner.peek() == UInt8(ascii: ",") {
                scanner.index += 1
                continue
            }
            try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
            return .values(values)
        }
    }
}
