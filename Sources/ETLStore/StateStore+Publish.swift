import ETLCore

/// An active resident as publishing reads it: the unified record and each current record.
public struct PublishableResident: Sendable {
    /// The resident's number (`StateStore.residentID` gives its text form).
    public var number: Int64
    /// Unified values in `CanonicalField` order.
    public var values: [String?]
    /// The six-digit region code of the unified address, when it names its district or city.
    public var region: String?
    /// The resident's current records, by source (in the pipeline's order) and key.
    public var records: [Record]

    /// One current record of the resident.
    public struct Record: Sendable {
        /// The source's position among the store's sources of the pipeline, in the order they
        /// were first imported (see `PublishableResidentCursor.sources`).
        public var source: Int
        public var key: String
        /// The record's payload, a JSON object of the payload fields, or `nil` when not asked for.
        public var payload: String?
    }
}

extension StateStore {
    /// A cursor over the active residents of `pipeline`, in the order of their numbers, each
    /// with its current records (and their payloads when `payload` is true).
    public func publishableResidents(pipeline: String, payload: Bool) throws(StoreError) -> PublishableResidentCursor {
        let sources = try database.prepare("SELECT id, name FROM sources WHERE pipeline = ? ORDER BY id")
        try sources.bind([.text(pipeline)])
        var names: [String] = []
        var positions: [Int64: Int] = [:]
        while try sources.step() {
            positions[Int64(sources.int(at: 0) ?? 0)] = names.count
            names.append(sources.text(at: 1) ?? "")
        }
        let residents = try database.prepare(
            """
            SELECT id, name, id_number, sex, birth_date, phone, address, region FROM residents
            WHERE pipeline = ? AND status = 'active' ORDER BY id
            """)
        try residents.bind([.text(pipeline)])
        let records = try database.prepare(
            """
            SELECT l.resident, l.source_id, l.record_key, \(payload ? "r.payload" : "NULL")
            FROM links l JOIN sources s ON s.id = l.source_id
            JOIN staged_records r ON r.source_id = l.source_id AND r.run_id = s.current_run_id
                AND r.record_key = l.record_key
            WHERE s.pipeline = ?
            ORDER BY l.resident
            """)
        try records.bind([.text(pipeline)])
        return PublishableResidentCursor(
            residents: residents, records: records, sources: names, sourcePositions: positions)
    }
}

/// Streams the residents publishing reads; `next()` throws on a database error.
public final class PublishableResidentCursor {
    private let residents: Statement
    private let records: Statement
    private let sourcePositions: [Int64: Int]
    /// The names of the pipeline's sources that `PublishableResident.Record.source` counts in.
    public let sources: [String]
    /// The record row read ahead of the resident it belongs to, if any.
    private var pending: (resident: Int64, record: PublishableResident.Record)?
    private var recordsDone = false

    init(residents: Statement, records: Statement, sources: [String], sourcePositions: [Int64: Int]) {
        self.residents = residents
        self.records = records
        self.sources = sources
        self.sourcePositions = sourcePositions
    }

    /// The next resident, or `nil` after the last.
    public func next() throws(StoreError) -> PublishableResident? {
        guard try residents.step() else { return nil }
        let number = Int64(residents.int(at: 0) ?? 0)
        var values: [String?] = []
        values.reserveCapacity(CanonicalField.allCases.count)
        for column in 1...CanonicalField.allCases.count { values.append(residents.text(at: Int32(column))) }
        var resident = PublishableResident(
            number: number, values: values, region: residents.text(at: 7), records: [])
        // Both statements go in resident order; records of residents that are not active
        // (there are none after a resolution, but a reader must not depend on it) are skipped.
        while let row = try nextRecord() {
            if row.resident < number {
                pending = nil
                continue
            }
            if row.resident > number { break }
            resident.records.append(row.record)
            pending = nil
        }
        resident.records.sort { $0.source != $1.source ? $0.source < $1.source : $0.key < $1.key }
        return resident
    }

    /// The pending record row, or the next one from the statement.
    private func nextRecord() throws(StoreError) -> (resident: Int64, record: PublishableResident.Record)? {
        if let pending { return pending }
        guard !recordsDone else { return nil }
        guard try records.step() else {
            recordsDone = true
            return nil
        }
        let row = (
            resident: Int64(records.int(at: 0) ?? 0),
            record: PublishableResident.Record(
                source: sourcePositions[Int64(records.int(at: 1) ?? 0)] ?? 0, key: records.text(at: 2) ?? "",
                payload: records.text(at: 3))
        )
        pending = row
        return row
    }
}
