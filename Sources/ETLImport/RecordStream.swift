import ETLCore

/// A reader of one format: yields raw records and rejects, and throws only for problems
/// that stop the whole file.
protocol RawRecordReader: AnyObject {
    func next() throws(ImportError) -> RawItem?
    /// How far into the file the reader is, for progress.
    var bytesRead: Int { get }
}

/// What an import stream yields: a record to stage, or a record that could not be read.
public enum ImportItem: Sendable, Equatable {
    case record(SourceRecord)
    case reject(Reject)
}

/// Streams one export file as canonical records and rejects, in file order.
///
/// ```swift
/// let stream = try RecordStream(path: path, displayName: "social_security.csv", format: .csv,
///                               spec: spec, encoding: .gb18030)
/// while let item = try stream.next() { … }
/// ```
public final class RecordStream {
    private let reader: any RawRecordReader
    private let mapper: RecordMapper

    /// Opens `path` for reading; fails for problems with the file as a whole (it cannot be
    /// opened, its CSV header lacks a mapped column, its encoding is not usable).
    public init(
        path: String, displayName: String, format: SourceFormat, spec: SourceSpec, encoding: ResolvedEncoding
    ) throws(ImportError) {
        let slots = FieldSlots(spec: spec)
        if format != .csv, encoding != .utf8 {
            throw .encodingNotAllowed(file: displayName, encoding: encoding.rawValue, format: format.rawValue.uppercased())
        }
        let input = try InputBuffer(path: path, displayName: displayName, maxCapacity: spec.maxRecordBytes)
        switch format {
        case .csv:
            reader = try CSVReader(input: input, options: spec.csv, encoding: encoding, slots: slots)
        case .xml:
            reader = try XMLRecordReader(input: input, recordElement: spec.xmlRecordElement, slots: slots)
        case .json:
            reader = try JSONDocumentReader(input: input, recordsPath: spec.jsonRecordsPath, slots: slots)
        case .jsonl:
            reader = JSONLinesReader(input: input, slots: slots)
        }
        mapper = RecordMapper(spec: spec, slots: slots)
    }

    /// The next record or reject, or `nil` at the end of the file.
    public func next() throws(ImportError) -> ImportItem? {
        switch try reader.next() {
        case nil: return nil
        case .reject(let reject)?: return .reject(reject)
        case .record(let raw)?: return mapper.map(raw)
        }
    }

    /// How many bytes of the file have been read, for progress.
    public var bytesRead: Int { reader.bytesRead }
}
