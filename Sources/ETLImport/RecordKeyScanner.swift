/// Finds a rejected record's key in its raw text, leniently, so that an earlier record with that
/// key is kept rather than deleted for missing from the export. The text could not be read as
/// a record, so the scan trusts only what the reader would have read as the key: the key field
/// named exactly once at the record's own level (a member of the record object, a child or an
/// attribute of the record element, never of something nested in it), with a plain value (no
/// escapes, no markup), taken as it is, spaces included. Anything else gives no key.
enum RecordKeyScanner {
    /// The value of the record object's member `name` in `text`: `"name": "value"` or
    /// `"name": 123`.
    static func json(_ name: String, in text: String) -> String? {
        let bytes = Array(text.utf8)
        let quoted = Array(("\"" + name + "\"").utf8)
        // Member names at depth 1: strings directly inside the outermost object, followed by ':'.
        var found: Int?
        var depth = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                let isName =
                    depth == 1 && index < bytes.count
                    && bytes[skipSpaces(bytes, from: index + 1)...].first == UInt8(ascii: ":")
                if isName, index + 1 - start == quoted.count, bytes[start...index].elementsEqual(quoted) {
                    guard found == nil else { return nil }
                    found = start
                }
            default:
                break
            }
            index += 1
        }
        guard let start = found else { return nil }
        var value = skipSpaces(bytes, from: skipSpaces(bytes, from: start + quoted.count) + 1)
        guard value < bytes.count else { return nil }
        if bytes[value] == UInt8(ascii: "\"") {
            value += 1
            var end = value
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") || bytes[end] < 0x20 { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            return key(bytes[value..<end])
        }
        var end = value
        while end < bytes.count, isBareValueByte(bytes[end]) { end += 1 }
        // A number is a key as the reader would stage it; null, true and false are none.
        let bare = key(bytes[value..<end])
        return ["null", "true", "false"].contains(bare) ? nil : bare
    }

    /// The text of the record element's child `name` in `text`: `<name>value</name>`, as the
    /// reader takes a field from a child element.
    static func xml(_ name: String, in text: String) -> String? {
        let bytes = Array(text.utf8)
        guard let recordStart = bytes.firstIndex(of: UInt8(ascii: "<")) else { return nil }
        let open = Array(("<" + name + ">").utf8)
        let close = Array(("</" + name + ">").utf8)
        // Children of the record element start at depth 1: after its start tag, before any
        // other element is open.
        var found: Int?
        var depth = 0
        var index = recordStart
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            if next == UInt8(ascii: "!") || next == UInt8(ascii: "?") {
                // A comment, CDATA section or processing instruction: nothing in it is a tag.
                let terminator =
                    bytes[index...].starts(with: Array("<!--".utf8))
                    ? "-->" : bytes[index...].starts(with: Array("<![CDATA[".utf8)) ? "]]>" : next == 0x3F ? "?>" : ">"
                guard let end = firstOccurrence(of: Array(terminator.utf8), in: bytes, from: index + 2) else { break }
                index = end + terminator.utf8.count
                continue
            }
            if next == UInt8(ascii: "/") {
                depth -= 1
            } else {
                if depth == 1, bytes[index...].starts(with: open) {
                    guard found == nil else { return nil }
                    found = index + open.count
                }
                let end = bytes[index...].firstIndex(of: UInt8(ascii: ">")) ?? bytes.count - 1
                if bytes[end - 1] != UInt8(ascii: "/") { depth += 1 }
                index = end
            }
            index += 1
        }
        guard let start = found, let end = firstOccurrence(of: close, in: bytes, from: start) else { return nil }
        return plainXML(bytes[start..<end])
    }

    /// A value with no markup or entity in it; `nil` when empty or not plain.
    private static func plainXML(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "&") }) else { return nil }
        return key(bytes)
    }

    /// The bytes as the reader would stage them: as they are, spaces included.
    private static func key(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.isEmpty, !bytes.contains(0) else { return nil }
        // The raw text is a string already; a replacement character stands for bytes that
        // could not be decoded, and a key with one in it is not the key.
        let key = String(decoding: bytes, as: UTF8.self)
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
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index
    }

    private static func firstOccurrence(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        for index in start...(bytes.count - needle.count) where bytes[index] == needle[0] {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}
