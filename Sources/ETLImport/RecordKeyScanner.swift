/// Finds a rejected record's key in its raw text, leniently, so that an earlier record with that
/// key is kept rather than deleted for missing from the export. The text could not be read as
/// a record, so the scan trusts only an unambiguous match: the key field named exactly once,
/// with a plain value (no escapes, no markup). Anything else gives no key.
enum RecordKeyScanner {
    /// The value of the JSON member `name` in `text`: `"name": "value"` or `"name": 123`.
    static func json(_ name: String, in text: String) -> String? {
        let bytes = Array(text.utf8)
        let quoted = Array(("\"" + name + "\"").utf8)
        guard let start = onlyOccurrence(of: quoted, in: bytes) else { return nil }
        var index = skipSpaces(bytes, from: start + quoted.count)
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
        index = skipSpaces(bytes, from: index + 1)
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "\"") {
            let valueStart = index + 1
            var end = valueStart
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") || bytes[end] < 0x20 { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            return value(bytes[valueStart..<end])
        }
        var end = index
        while end < bytes.count, isBareValueByte(bytes[end]) { end += 1 }
        // A number is a key as the reader would stage it; null, true and false are none.
        let bare = value(bytes[index..<end])
        return ["null", "true", "false"].contains(bare) ? nil : bare
    }

    /// The text of the XML element `name` in `text`: `<name>value</name>`, or of the attribute
    /// when `name` starts with `@`: `name="value"`.
    static func xml(_ name: String, in text: String) -> String? {
        let bytes = Array(text.utf8)
        if name.hasPrefix("@") {
            let attribute = Array((" " + name.dropFirst() + "=\"").utf8)
            guard let start = onlyOccurrence(of: attribute, in: bytes) else { return nil }
            let valueStart = start + attribute.count
            guard let end = bytes[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            return plainXML(bytes[valueStart..<end])
        }
        let open = Array(("<" + name + ">").utf8)
        let close = Array(("</" + name + ">").utf8)
        guard let start = onlyOccurrence(of: open, in: bytes) else { return nil }
        let valueStart = start + open.count
        guard let end = firstOccurrence(of: close, in: bytes, from: valueStart) else { return nil }
        return plainXML(bytes[valueStart..<end])
    }

    /// A value with no markup or entity in it, trimmed; `nil` when empty or not plain.
    private static func plainXML(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "&") }) else { return nil }
        return value(bytes)
    }

    private static func value(_ bytes: ArraySlice<UInt8>) -> String? {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice.removeFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice.removeLast() }
        guard !slice.isEmpty, !slice.contains(0) else { return nil }
        // The raw text is a string already; a replacement character stands for bytes that
        // could not be decoded, and a key with one in it is not the key.
        let key = String(decoding: slice, as: UTF8.self)
        return key.unicodeScalars.contains("\u{FFFD}") ? nil : key
    }

    private static func isBareValueByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default: false
        }
    }

    private static func skipSpaces(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        return index
    }

    /// Where `needle` starts in `bytes`, when it occurs exactly once.
    private static func onlyOccurrence(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard let first = firstOccurrence(of: needle, in: bytes, from: 0) else { return nil }
        return firstOccurrence(of: needle, in: bytes, from: first + 1) == nil ? first : nil
    }

    private static func firstOccurrence(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        for index in start...(bytes.count - needle.count) where bytes[index] == needle[0] {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}
