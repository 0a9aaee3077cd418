import ETLCore

/// Reads one JSON record object into slots: strings as decoded, numbers and booleans as
/// written, nested objects and arrays as their JSON text, null and "" as unknown.
struct JSONRecordExtractor {
    private let slots: FieldSlots

    init(slots: FieldSlots) {
        self.slots = slots
    }

    enum Outcome {
        case values
        /// The value is valid JSON but not an object; names what it is.
        case notAnObject(String)

        /// What the reader yields for this outcome.
        func item(at location: RecordLocation, raw: @autoclosure () -> String) -> RawItem {
            switch self {
            case .values: .record(location)
            case .notAnObject(let found):
                .reject(Reject(location: location, reason: .notAnObject(found: found), raw: raw()))
            }
        }
    }

    /// Reads the value at the scanner's position, which must be complete in its bytes, and
    /// puts the values of the fields the pipeline uses into `fields`.
    func extract(_ scanner: inout JSONScanner, into fields: FieldArena) throws(JSONSyntaxError) -> Outcome {
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
        scanner.index += 1
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.index += 1
            return .values
        }
        while true {
            guard scanner.peek() == UInt8(ascii: "\"") else { throw scanner.error("a key in double quotes") }
            let keyStart = scanner.index
            let (keyRange, keyEscaped) = try scanner.readRawString()
            let slot: Int?
            if keyEscaped {
                let end = scanner.index
                scanner.index = keyStart
                slot = slots.slot(of: try scanner.readString())
                scanner.index = end
            } else {
                slot = slots.slot(
                    of: String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[keyRange]), as: UTF8.self))
            }
            try scanner.expect(UInt8(ascii: ":"), "':' after the key")
            switch scanner.peek() {
            case UInt8(ascii: "\"")?:
                let start = scanner.index
                let (range, escaped) = try scanner.readRawString()
                guard let slot else { break }
                if escaped {
                    let end = scanner.index
                    scanner.index = start
                    var text = try scanner.readString()
                    scanner.index = end
                    text.withUTF8 { fields.set(slot, $0) }
                } else {
                    fields.set(slot, UnsafeBufferPointer(rebasing: scanner.bytes[range]))
                }
            case UInt8(ascii: "{")?, UInt8(ascii: "[")?:
                let start = scanner.index
                try scanner.skipValue()
                if let slot { fields.set(slot, UnsafeBufferPointer(rebasing: scanner.bytes[start..<scanner.index])) }
            default:
                let start = scanner.index
                let value = try scanner.readScalar()
                // Numbers and booleans keep their JSON text; null means unknown.
                if let slot, value != .null {
                    fields.set(slot, UnsafeBufferPointer(rebasing: scanner.bytes[start..<scanner.index]))
                }
            }
            if scanner.peek() == UInt8(ascii: ",") {
                scanner.index += 1
                continue
            }
            try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
            return .values
        }
    }
}
