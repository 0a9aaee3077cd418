import ETLCore

/// A reader of one format: fills the arena with a record's values and yields its location,
/// or yields a reject. Throws only for problems that stop the whole file.
protocol RawRecordReader: AnyObject {
    func next(into fields: FieldArena) throws(ImportError) -> RawItem?
    /// How far into the file the reader is, for progress.
    var bytesRead: Int { get }
}

/// What an import stream yields, one at a time: a record to stage, or one that could not be read.
public enum ImportItem: Sendable, Equatable {
    case record(SourceRecord)
    case reject(Reject)
}

/// Streams one export file as staged rows and rejects, in file order.
///
/// ```swift
/// let stream = try RecordStream(path: path, displayName: "social_security.csv", format: .csv,
///                               spec: spec, encoding: .gb18030)
/// var batch = RowBatch(file: "social_security.csv")
/// while try stream.read(into: &batch, maxItems: 2048) { …; batch.removeAll() }
/// ```
public final class RecordStream {
    private let reader: any RawRecordReader
    private let mapper: RecordMapper
    private let fields: FieldArena
    /// The file's name as the pipeline's glob matched it, relative to the inbox.
    public let displayName: String
    private let payloadFields: [String]
    /// Finds the key in a rejected record's raw text, for the formats whose readers do not.
    private let keyInRawText: ((String) -> String?)?

    /// Opens `path` for reading; fails for problems with the file as a whole (it cannot be
    /// opened, its CSV header lacks a mapped column, its encoding is not usable).
    public convenience init(
        path: String, displayName: String, format: SourceFormat, spec: SourceSpec, encoding: ResolvedEncoding
    ) throws(ImportError) {
        try self.init(
            path: path, displayName: displayName, format: format, spec: spec, encoding: encoding, chunkSize: 1 << 20)
    }

    /// `chunkSize` is how many bytes each read asks for; tests make it tiny so that every
    /// byte of a small file falls on a chunk boundary for some size.
    init(
        path: String, displayName: String, format: SourceFormat, spec: SourceSpec, encoding: ResolvedEncoding,
        chunkSize: Int
    ) throws(ImportError) {
        let slots = FieldSlots(spec: spec)
        if format != .csv, encoding != .utf8 {
            throw .encodingNotAllowed(
                file: displayName, encoding: encoding.rawValue, format: format.rawValue.uppercased())
        }
        let input = try InputBuffer(
            path: path, displayName: displayName, chunkSize: chunkSize, maxCapacity: spec.maxRecordBytes)
        switch format {
        case .csv:
            reader = try CSVReader(
                input: input, options: spec.csv, encoding: encoding, maxRecordBytes: spec.maxRecordBytes, slots: slots)
        case .xml:
            reader = try XMLRecordReader(
                input: input, recordElement: spec.xmlRecordElement, maxRecordBytes: spec.maxRecordBytes,
                maxNestingDepth: spec.maxNestingDepth, slots: slots)
        case .json:
            reader = try JSONDocumentReader(
                input: input, recordsPath: spec.jsonRecordsPath, maxRecordBytes: spec.maxRecordBytes,
                maxNestingDepth: spec.maxNestingDepth, slots: slots)
        case .jsonl:
            reader = JSONLinesReader(
                input: input, maxRecordBytes: spec.maxRecordBytes, maxNestingDepth: spec.maxNestingDepth, slots: slots)
        }
        let key = spec.key
        switch format {
        case .csv: keyInRawText = nil  // the CSV reader reads the key column of a rejected row
        case .xml: keyInRawText = { RecordKeyScanner.xml(key, in: $0) }
        case .json, .jsonl: keyInRawText = { RecordKeyScanner.json(key, in: $0) }
        }
        mapper = RecordMapper(spec: spec, slots: slots)
        fields = FieldArena(slotCount: slots.names.count)
        self.displayName = displayName
        payloadFields = spec.payload
    }

    /// Reads up to `maxItems` records (rows and rejects) into `batch`, stopping early once its
    /// arena holds `maxBytes`; `false` when the file had nothing more.
    public func read(into batch: inout RowBatch, maxItems: Int, maxBytes: Int = 8 << 20) throws(ImportError) -> Bool {
        var read = 0
        while read < maxItems && batch.arena.count < maxBytes {
            fields.reset()
            guard let item = try reader.next(into: fields) else { break }
            read += 1
            switch item {
            case .reject(var reject):
                if reject.recordKey == nil, let keyInRawText { reject.recordKey = keyInRawText(reject.raw) }
                batch.rejects.append(reject)
            case .record(let location):
                if let reject = mapper.map(fields, location: location, into: &batch) {
                    batch.rejects.append(reject)
                }
            }
        }
        batch.bytesRead = reader.bytesRead
        return read > 0
    }

    /// The next record or reject as values, or `nil` at the end of the file. Slower than
    /// `read(into:maxItems:)`; for tests and small files.
    public func next() throws(ImportError) -> ImportItem? {
        var batch = RowBatch(file: displayName)
        guard try read(into: &batch, maxItems: 1) else { return nil }
        if let reject = batch.rejects.first { return .reject(reject) }
        return .record(batch.record(row: 0, payloadFields: payloadFields))
    }

    /// How many bytes of the file have been read, for progress.
    public var bytesRead: Int { reader.bytesRead }
}
