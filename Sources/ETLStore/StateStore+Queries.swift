import ETLCore

/// A reject as summaries show it: where and why, without the raw text.
public struct RejectSummary: Sendable, Equatable {
    public var source: String
    public var file: String
    public var line: Int
    public var recordIndex: Int
    public var byteOffset: Int?
    public var category: String
    public var reason: String
}

extension RejectSummary {
    /// The columns a reject summary is read from, first in a row: the source's name, the
    /// file's path, and the reject's place and reason.
    static let columns = "s.name, f.path, r.line, r.record_index, r.byte_offset, r.category, r.reason"

    /// The reject summary in the first columns of the row `statement` is on (`columns`).
    init(row statement: Statement) {
        self.init(
            source: statement.text(at: 0) ?? "", file: statement.text(at: 1) ?? "", line: statement.int(at: 2) ?? 0,
            recordIndex: statement.int(at: 3) ?? 0, byteOffset: statement.int(at: 4),
            category: statement.text(at: 5) ?? "", reason: statement.text(at: 6) ?? "")
    }
}

/// A reject as `etl rejects` lists it: where and why, the record key when it could be read,
/// and the raw text only when asked for.
public struct ListedReject: Sendable, Equatable {
    public var run: Int64
    public var summary: RejectSummary
    public var recordKey: String?
    public var raw: String?
}

/// A record in the staging store, as the next stages read it.
public struct StagedRecord: Sendable, Equatable {
    public var source: String
    public var record: SourceRecord
}

extension StateStore {
    /// The rejects of a run in file order; `limit` caps how many per source are returned.
    /// Per source, a run's reject categories with their counts, most frequent first.
    public func rejectCategories(
        run runID: Int64
    ) throws(StoreError) -> [(source: String, category: String, count: Int)] {
        let select = try database.prepare(
            """
            SELECT s.name, r.category, count(*) FROM rejects r JOIN sources s ON s.id = r.source_id
            WHERE r.run_id = ? GROUP BY s.id, r.category ORDER BY s.id, count(*) DESC, r.category
            """)
        try select.bind([.integer(runID)])
        var categories: [(source: String, category: String, count: Int)] = []
        while try select.step() {
            categories.append((select.text(at: 0) ?? "", select.text(at: 1) ?? "", select.int(at: 2) ?? 0))
        }
        return categories
    }

    public func rejects(run runID: Int64, limitPerSource: Int = .max) throws(StoreError) -> [RejectSummary] {
        let select = try database.prepare(
            """
            SELECT \(RejectSummary.columns) FROM rejects r
            JOIN sources s ON s.id = r.source_id JOIN source_files f ON f.id = r.file_id
            WHERE r.run_id = ? ORDER BY s.id, f.id, r.line, r.record_index
            """)
        try select.bind([.integer(runID)])
        var rejects: [RejectSummary] = []
        var perSource: [String: Int] = [:]
        while try select.step() {
            let source = select.text(at: 0) ?? ""
            perSource[source, default: 0] += 1
            guard perSource[source, default: 0] <= limitPerSource else { continue }
            rejects.append(RejectSummary(row: select))
        }
        return rejects
    }

    /// Every reject of each source's latest import in `pipeline` (the latest run that finished
    /// reading its files, whether the source then succeeded or failed; not one killed midway),
    /// by source, file and line; with `revealing`, each one's raw text, which may hold personal
    /// data.
    public func latestRejects(pipeline: String, revealing: Bool = false) throws(StoreError) -> [ListedReject] {
        let select = try database.prepare(
            """
            SELECT \(RejectSummary.columns), r.record_key, r.run_id, \(revealing ? "r.raw" : "NULL")
            FROM sources s JOIN rejects r ON r.source_id = s.id JOIN source_files f ON f.id = r.file_id
            WHERE s.pipeline = ? AND r.run_id = (SELECT max(run_id) FROM run_sources WHERE source_id = s.id AND files > 0)
            ORDER BY s.id, f.id, r.line, r.record_index
            """)
        try select.bind([.text(pipeline)])
        var rejects: [ListedReject] = []
        while try select.step() {
            rejects.append(
                ListedReject(
                    run: Int64(select.int(at: 8) ?? 0), summary: RejectSummary(row: select),
                    recordKey: select.text(at: 7), raw: select.text(at: 9)))
        }
        return rejects
    }

    /// The number of records currently staged for a source.
    public func stagedCount(pipeline: String, source: String) throws(StoreError) -> Int {
        let value = try database.scalar(
            """
            SELECT count(*) FROM staged_records r JOIN sources s ON s.id = r.source_id
            WHERE s.pipeline = ? AND s.name = ? AND r.run_id = s.current_run_id
            """, [.text(pipeline), .text(source)])
        return Int(value?.int64 ?? 0)
    }

    /// The number of records currently staged for all of `pipeline`'s sources.
    public func stagedCount(pipeline: String) throws(StoreError) -> Int {
        let value = try database.scalar(
            """
            SELECT count(*) FROM staged_records r JOIN sources s ON s.id = r.source_id
            WHERE s.pipeline = ? AND r.run_id = s.current_run_id
            """, [.text(pipeline)])
        return Int(value?.int64 ?? 0)
    }

    /// A cursor over the records currently staged for `pipeline`, by source and key.
    public func stagedRecords(pipeline: String) throws(StoreError) -> StagedRecordCursor {
        let select = try database.prepare(
            """
            SELECT s.name, r.record_key, f.path, r.line, r.record_index, r.byte_offset,
                r.name, r.id_number, r.sex, r.birth_date, r.phone, r.address, r.sex_code, r.birth_date_iso, r.payload,
                f.payload_fields
            FROM staged_records r JOIN sources s ON s.id = r.source_id JOIN source_files f ON f.id = r.file_id
            WHERE s.pipeline = ? AND r.run_id = s.current_run_id
            ORDER BY s.name, r.record_key
            """)
        try select.bind([.text(pipeline)])
        return StagedRecordCursor(statement: select)
    }
}

/// Streams staged records; `next()` throws on a database error instead of ending silently.
public final class StagedRecordCursor {
    private let statement: Statement

    init(statement: Statement) {
        self.statement = statement
    }

    /// The next record, or `nil` after the last.
    public func next() throws -> StagedRecord? {
        guard try statement.step() else { return nil }
        var fields = CanonicalValues()
        for (offset, field) in CanonicalField.allCases.enumerated() {
            fields[field] = statement.text(at: Int32(6 + offset))
        }
        let names = try Self.decodeArray(statement.text(at: 15) ?? "[]")
        let values = try Self.decodeArray(statement.text(at: 14) ?? "[]")
        let payload = zip(names, values).map { PayloadValue(name: $0 ?? "", value: $1) }
        let record = SourceRecord(
            key: statement.text(at: 1) ?? "", fields: fields,
            sexCode: statement.text(at: 12).flatMap(SexCode.init(rawValue:)),
            birthDateISO: statement.text(at: 13), payload: payload,
            location: RecordLocation(
                file: statement.text(at: 2) ?? "", line: statement.int(at: 3) ?? 0,
                recordIndex: statement.int(at: 4) ?? 0, byteOffset: statement.int(at: 5)))
        return StagedRecord(source: statement.text(at: 0) ?? "", record: record)
    }

    /// A JSON array of strings and nulls, as the store writes payloads and their field names.
    private static func decodeArray(_ text: String) throws -> [String?] {
        var text = text
        return try text.withUTF8 { bytes in
            var scanner = JSONScanner(bytes: bytes)
            let node = try scanner.parseValue()
            return (node.elements ?? []).map(\.stringValue)
        }
    }
}
