import ETLCore

/// An active resident as publishing reads it: the unified record.
public struct PublishableResident: Sendable {
    /// The resident's number (`StateStore.residentID` gives its text form).
    public var number: Int64
    /// Unified values in `CanonicalField` order.
    public var values: [String?]
    /// The six-digit region code of the unified address, when it names its district or city.
    public var region: String?
}

extension StateStore {
    /// A cursor over the active residents of `pipeline`, in the order of their numbers.
    public func publishableResidents(pipeline: String) throws(StoreError) -> PublishableResidentCursor {
        let residents = try database.prepare(
            """
            SELECT id, name, id_number, sex, birth_date, phone, address, region FROM residents
            WHERE pipeline = ? AND status = 'active' ORDER BY id
            """)
        try residents.bind([.text(pipeline)])
        return PublishableResidentCursor(statement: residents)
    }

    /// A cursor over every current record of `pipeline` with its resident, in the order they
    /// were staged (each export's own order), with the payload of the sources named in
    /// `payloadSources`. It reads the staged records front to back, which is far quicker than
    /// visiting them resident by resident.
    public func publishableRecords(
        pipeline: String, payloadSources: Set<String>
    ) throws(StoreError) -> PublishableRecordCursor {
        let sources = try database.prepare("SELECT id, name FROM sources WHERE pipeline = ?")
        try sources.bind([.text(pipeline)])
        var names: [Int64: String] = [:]
        while try sources.step() { names[Int64(sources.int(at: 0) ?? 0)] = sources.text(at: 1) ?? "" }
        let withPayload = names.filter { payloadSources.contains($0.value) }.keys.sorted()
        let payload =
            withPayload.isEmpty
            ? "NULL"
            : "CASE WHEN r.source_id IN (\(withPayload.map(String.init).joined(separator: ", "))) THEN r.payload END"
        let records = try database.prepare(
            """
            SELECT l.resident, r.source_id, \(payload), r.file_id
            FROM staged_records r NOT INDEXED
            JOIN sources s ON s.id = r.source_id AND s.current_run_id = r.run_id
            JOIN links l ON l.source_id = r.source_id AND l.record_key = r.record_key
            WHERE s.pipeline = ?
            """)
        try records.bind([.text(pipeline)])
        // Each file's payload field names (a JSON array of strings, as the store writes it).
        let files = try database.prepare(
            """
            SELECT f.id, f.payload_fields FROM source_files f JOIN sources s ON s.id = f.source_id
            WHERE s.pipeline = ?
            """)
        try files.bind([.text(pipeline)])
        var fields: [Int64: [String]] = [:]
        while try files.step() {
            var text = files.text(at: 1) ?? "[]"
            fields[Int64(files.int(at: 0) ?? 0)] = text.withUTF8 { bytes in
                var scanner = JSONScanner(bytes: bytes)
                return (try? scanner.parseValue())?.elements?.compactMap(\.stringValue) ?? []
            }
        }
        return PublishableRecordCursor(statement: records, sourceNames: names, payloadFields: fields)
    }
}

/// Streams the residents publishing reads; `next()` throws on a database error.
public final class PublishableResidentCursor {
    private let statement: Statement

    init(statement: Statement) {
        self.statement = statement
    }

    /// Steps to the next resident and returns its number, or `nil` after the last.
    public func next() throws(StoreError) -> Int64? {
        guard try statement.step() else { return nil }
        return Int64(statement.int(at: 0) ?? 0)
    }

    /// The current resident's unified value of `field`, as UTF-8 bytes valid only during the
    /// call (`nil` when it has none).
    public func withValue<T>(_ field: CanonicalField, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
        try statement.withText(at: Int32(1 + CanonicalField.allCases.firstIndex(of: field)!), body)
    }

    /// The current resident's region code, when its unified address names one.
    public var region: String? { statement.text(at: 7) }

    /// The current resident, whole.
    public var resident: PublishableResident {
        PublishableResident(
            number: Int64(statement.int(at: 0) ?? 0),
            values: (1...CanonicalField.allCases.count).map { statement.text(at: Int32($0)) }, region: region)
    }
}

/// Streams the current records publishing reads: per record its resident, source and
/// payload. `next()` throws on a database error.
public final class PublishableRecordCursor {
    private let statement: Statement
    /// Source IDs to names.
    public let sourceNames: [Int64: String]
    private let payloadFields: [Int64: [String]]

    init(statement: Statement, sourceNames: [Int64: String], payloadFields: [Int64: [String]]) {
        self.statement = statement
        self.sourceNames = sourceNames
        self.payloadFields = payloadFields
    }

    /// Steps to the next record and returns its resident's number and its source's ID, or
    /// `nil` after the last.
    public func next() throws(StoreError) -> (resident: Int64, source: Int64)? {
        guard try statement.step() else { return nil }
        return (Int64(statement.int(at: 0) ?? 0), Int64(statement.int(at: 1) ?? 0))
    }

    /// The file the current record was read from.
    public var fileID: Int64 { Int64(statement.int(at: 3) ?? 0) }

    /// The names of the payload values of records from file `fileID`, in order.
    public func payloadFieldNames(file fileID: Int64) -> [String] { payloadFields[fileID] ?? [] }

    /// Calls `body` with the current record's payload (a JSON array, UTF-8, valid only during
    /// the call), or `nil` when its source was not asked for.
    public func withPayload<T>(_ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
        try statement.withText(at: 2, body)
    }
}
