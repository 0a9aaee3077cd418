/// A record that could not be read, kept with its location, a reason and its raw text.
public struct Reject: Sendable, Equatable {
    public var location: RecordLocation
    public var reason: RejectReason
    /// The record's raw text as read (undecodable bytes replaced), for the officer to inspect.
    /// It may hold personal data, so it goes to the store only, never to logs or messages.
    public var raw: String
    /// The record's key, when it could be read from the rejected text: the source's earlier
    /// record with that key is then kept, not deleted for missing from the export.
    public var recordKey: String?

    public init(location: RecordLocation, reason: RejectReason, raw: String, recordKey: String? = nil) {
        self.location = location
        self.reason = reason
        self.raw = raw
        self.recordKey = recordKey
    }
}

/// Why a record was rejected, in terms a data officer can act on. Never holds field values.
public enum RejectReason: Sendable, Equatable, CustomStringConvertible {
    /// A CSV row whose field count differs from the header's.
    case wrongFieldCount(found: Int, expected: Int)
    /// A CSV field with characters after its closing quote, such as `"abc"x`.
    case textAfterClosingQuote(field: Int)
    /// A CSV quote that did not close within the configured limit or before the end of the file.
    case unclosedQuote(field: Int, limit: String, resumedAtLine: Int)
    /// Bytes that are not valid in the file's encoding.
    case undecodableBytes(encoding: String, byteOffset: Int, field: String)
    /// An XML record element that is not well-formed.
    case malformedXML(detail: String)
    /// A JSON Lines line that is not valid JSON.
    case invalidJSON(detail: String)
    /// A JSON record that is not an object.
    case notAnObject(found: String)
    /// A record whose key field is missing or empty.
    case missingRecordKey(field: String)
    /// A record whose key was already seen in this export.
    case duplicateRecordKey(key: String, first: RecordLocation)
    /// A record larger than the configured limit.
    case recordTooLarge(limitBytes: Int)
    /// A record nested deeper than the configured limit (XML elements, JSON arrays and objects).
    case nestedTooDeep(limit: Int)
    /// A field holding a NUL byte.
    case nulByte(field: String)

    /// A short, stable label for grouping rejects in summaries.
    public var category: String {
        switch self {
        case .wrongFieldCount: "wrong field count"
        case .textAfterClosingQuote: "text after closing quote"
        case .unclosedQuote: "unclosed quote"
        case .undecodableBytes: "undecodable bytes"
        case .malformedXML: "malformed XML element"
        case .invalidJSON: "invalid JSON"
        case .notAnObject: "record is not an object"
        case .missingRecordKey: "missing record key"
        case .duplicateRecordKey: "duplicate record key"
        case .recordTooLarge: "record too large"
        case .nestedTooDeep: "nested too deep"
        case .nulByte: "NUL byte"
        }
    }

    public var description: String {
        switch self {
        case .wrongFieldCount(let found, let expected):
            "wrong field count: \(found) fields, the header has \(expected)"
        case .textAfterClosingQuote(let field):
            "text after the closing quote in field \(field); double a quote inside a quoted field"
        case .unclosedQuote(let field, let limit, let line):
            "the quote opened in field \(field) does not close within \(limit); reading resumed at line \(line)"
        case .undecodableBytes(let encoding, let offset, let field):
            "bytes that are not valid \(encoding) at byte offset \(offset) (field '\(field)')"
        case .malformedXML(let detail):
            "malformed XML element: \(detail)"
        case .invalidJSON(let detail):
            "invalid JSON: \(detail)"
        case .notAnObject(let found):
            "the record is \(found), not a JSON object"
        case .missingRecordKey(let field):
            "missing record key '\(field)'"
        case .duplicateRecordKey(let key, let first):
            "duplicate record key '\(key)', first seen at \(first.description)"
        case .recordTooLarge(let limit):
            "the record is larger than the limit of \(limit) bytes"
        case .nestedTooDeep(let limit):
            "the record nests elements, arrays or objects deeper than the limit of \(limit) levels (limits.maxNestingDepth)"
        case .nulByte(let field):
            "a NUL byte (0x00) in field '\(field)'; exports must not contain NUL bytes, so check how the file was exported"
        }
    }
}
