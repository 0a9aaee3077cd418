import ETLCore

/// The file formats etl reads.
public enum SourceFormat: String, Sendable, CaseIterable {
    case csv
    case xml
    case json
    case jsonl
}

/// Everything the importer needs to read one source's files: the part of a pipeline file
/// that describes how a department exports. Built by ETLPipeline from the pipeline file.
public struct SourceSpec: Sendable {
    public var name: String
    public var encoding: TextEncoding
    public var csv: CSVOptions
    /// The XML element that holds one record (for example `person`).
    public var xmlRecordElement: String
    /// The object keys leading to the record array of a JSON document (for example `["records"]`).
    public var jsonRecordsPath: [String]
    /// The source field that holds the record key.
    public var key: String
    /// Where each canonical field comes from.
    public var fields: [CanonicalField: FieldMapping]
    /// Source values mapped to sex codes (男 → 1, F → 2, …).
    public var sexValues: [String: SexCode]
    /// Accepted birth-date formats, tried in order.
    public var dateFormats: [DatePattern]
    /// Source fields carried through untouched under their own names.
    public var payload: [String]
    /// The largest record (CSV row, XML element, JSON record or line) in bytes.
    public var maxRecordBytes: Int
    /// The deepest nesting of elements (XML) or arrays and objects (JSON) inside a record.
    public var maxNestingDepth: Int

    public init(
        name: String, encoding: TextEncoding = .utf8, csv: CSVOptions = CSVOptions(),
        xmlRecordElement: String = "record", jsonRecordsPath: [String] = ["records"], key: String,
        fields: [CanonicalField: FieldMapping], sexValues: [String: SexCode] = [:],
        dateFormats: [DatePattern] = [], payload: [String] = [], maxRecordBytes: Int = 16 << 20,
        maxNestingDepth: Int = 32
    ) {
        self.name = name
        self.encoding = encoding
        self.csv = csv
        self.xmlRecordElement = xmlRecordElement
        self.jsonRecordsPath = jsonRecordsPath
        self.key = key
        self.fields = fields
        self.sexValues = sexValues
        self.dateFormats = dateFormats
        self.payload = payload
        self.maxRecordBytes = maxRecordBytes
        self.maxNestingDepth = maxNestingDepth
    }
}

/// CSV dialect and limits.
public struct CSVOptions: Sendable {
    /// The delimiter byte (an ASCII character); configuration, never guessed.
    public var delimiter: UInt8
    /// A quoted field still open after this many bytes is treated as a quote that never closes.
    public var maxQuotedFieldBytes: Int
    /// … or after this many line breaks.
    public var maxQuotedFieldLines: Int

    public init(
        delimiter: UInt8 = UInt8(ascii: ","), maxQuotedFieldBytes: Int = 64 << 10, maxQuotedFieldLines: Int = 100
    ) {
        self.delimiter = delimiter
        self.maxQuotedFieldBytes = maxQuotedFieldBytes
        self.maxQuotedFieldLines = maxQuotedFieldLines
    }
}

/// Where one canonical field comes from: one source field, or several joined.
public struct FieldMapping: Sendable, Equatable {
    /// The source fields, joined in order when there are several (empty parts are skipped).
    public var sources: [String]
    public var separator: String
    /// Take the value only when another field has one of these values (for example
    /// `certNo` only when `certType` is `01`, the resident ID card).
    public var condition: Condition?

    /// A field and the values it must have for the mapping to apply.
    public struct Condition: Sendable, Equatable {
        public var field: String
        public var values: [String]

        public init(field: String, values: [String]) {
            self.field = field
            self.values = values
        }
    }

    public init(sources: [String], separator: String = "", condition: Condition? = nil) {
        self.sources = sources
        self.separator = separator
        self.condition = condition
    }
}
