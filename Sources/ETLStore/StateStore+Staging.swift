import ETLCore

extension StateStore {
    /// Imports one source file in one transaction: `body` stages records and rejects through
    /// the `FileStager` it is given. When `body` throws, nothing of the file is kept.
    ///
    /// Record keys are unique per source and run: a key staged before, from this file or an
    /// earlier file of the same export, turns the later record into a reject naming both places.
    public func importFile(
        run runID: Int64, source sourceID: Int64, file: SourceFileInfo,
        _ body: (FileStager) throws -> Void
    ) throws -> RecordCounts {
        try inTransaction {
            let insertFile = try cached(
                """
                INSERT INTO source_files (run_id, source_id, path, size, sha256, encoding, read, staged, rejected, imported_at)
                VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?)
                """)
            try insertFile.bind([
                .integer(runID), .integer(sourceID), .text(file.path), .integer(Int64(file.size)),
                .text(file.sha256), .text(file.encoding), .text(Timestamp.now()),
            ])
            try insertFile.run()
            let stager = try FileStager(
                store: self, runID: runID, sourceID: sourceID, fileID: database.lastInsertRowID)
            try body(stager)
            let update = try cached("UPDATE source_files SET read = ?, staged = ?, rejected = ? WHERE id = ?")
            try update.bind([
                .integer(Int64(stager.counts.read)), .integer(Int64(stager.counts.staged)),
                .integer(Int64(stager.counts.rejected)), .integer(stager.fileID),
            ])
            try update.run()
            return stager.counts
        }
    }

    /// Makes this run's staged records the source's current ones and drops the earlier ones.
    public func commitSource(run runID: Int64, source sourceID: Int64) throws {
        try inTransaction {
            let update = try cached("UPDATE sources SET current_run_id = ? WHERE id = ?")
            try update.bind([.integer(runID), .integer(sourceID)])
            try update.run()
            let delete = try cached("DELETE FROM staged_records WHERE source_id = ? AND run_id != ?")
            try delete.bind([.integer(sourceID), .integer(runID)])
            try delete.run()
        }
    }

    /// Drops what this run staged for a source that failed; its earlier records stay current.
    public func discardSource(run runID: Int64, source sourceID: Int64) throws {
        try inTransaction {
            let delete = try cached("DELETE FROM staged_records WHERE source_id = ? AND run_id = ?")
            try delete.bind([.integer(sourceID), .integer(runID)])
            try delete.run()
        }
    }
}

/// Stages the records and rejects of one file, inside `StateStore.importFile`'s transaction.
public final class FileStager {
    private let store: StateStore
    let runID: Int64
    let sourceID: Int64
    let fileID: Int64
    private let insertRecord: Statement
    private let insertReject: Statement
    private let findKey: Statement
    /// What this file has read, staged and rejected so far.
    public private(set) var counts = RecordCounts()

    init(store: StateStore, runID: Int64, sourceID: Int64, fileID: Int64) throws(StoreError) {
        self.store = store
        self.runID = runID
        self.sourceID = sourceID
        self.fileID = fileID
        insertRecord = try store.cached(
            """
            INSERT INTO staged_records (source_id, run_id, record_key, file_id, line, record_index, byte_offset,
                name, id_number, sex, birth_date, phone, address, sex_code, birth_date_iso, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (source_id, run_id, record_key) DO NOTHING
            """)
        insertReject = try store.cached(
            """
            INSERT INTO rejects (run_id, source_id, file_id, line, record_index, byte_offset, category, reason, raw)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        findKey = try store.cached(
            """
            SELECT f.path, r.line, r.record_index, r.byte_offset FROM staged_records r
            JOIN source_files f ON f.id = r.file_id
            WHERE r.source_id = ? AND r.run_id = ? AND r.record_key = ?
            """)
    }

    /// Stages `record`, or rejects it when its key was already staged in this export.
    public func stage(_ record: SourceRecord) throws(StoreError) {
        counts.read += 1
        let statement = insertRecord
        statement.reset()
        try statement.bind(.integer(sourceID), at: 1)
        try statement.bind(.integer(runID), at: 2)
        try statement.bind(record.key, at: 3)
        try statement.bind(.integer(fileID), at: 4)
        try statement.bind(record.location.line, at: 5)
        try statement.bind(record.location.recordIndex, at: 6)
        try statement.bind(record.location.byteOffset, at: 7)
        var column: Int32 = 8
        for field in CanonicalField.allCases {
            try statement.bind(record.fields[field], at: column)
            column += 1
        }
        try statement.bind(record.sexCode?.rawValue, at: 14)
        try statement.bind(record.birthDateISO, at: 15)
        try statement.bind(JSONWriter.object(record.payload.map { ($0.name, $0.value) }), at: 16)
        try statement.run()
        if store.database.changes == 1 {
            counts.staged += 1
            return
        }
        let first = try firstLocation(ofKey: record.key)
        try insert(
            Reject(
                location: record.location, reason: .duplicateRecordKey(key: record.key, first: first),
                raw: JSONWriter.object(
                    [("key", record.key)] + CanonicalField.allCases.map { ($0.rawValue, record.fields[$0]) })))
    }

    /// Records a record that could not be read.
    public func reject(_ reject: Reject) throws(StoreError) {
        counts.read += 1
        try insert(reject)
    }

    private func insert(_ reject: Reject) throws(StoreError) {
        let statement = insertReject
        try statement.bind([
            .integer(runID), .integer(sourceID), .integer(fileID), .integer(Int64(reject.location.line)),
            .integer(Int64(reject.location.recordIndex)),
            reject.location.byteOffset.map { .integer(Int64($0)) } ?? .null,
            .text(reject.reason.category), .text(reject.reason.description), .text(reject.raw),
        ])
        try statement.run()
        counts.rejected += 1
    }

    private func firstLocation(ofKey key: String) throws(StoreError) -> RecordLocation {
        try findKey.bind([.integer(sourceID), .integer(runID), .text(key)])
        defer { findKey.reset() }
        guard try findKey.step() else {
            throw .sqlite(code: 1, message: "a key conflicted but no staged record has it", sql: findKey.sql)
        }
        return RecordLocation(
            file: findKey.text(at: 0) ?? "", line: findKey.int(at: 1) ?? 0,
            recordIndex: findKey.int(at: 2) ?? 0, byteOffset: findKey.int(at: 3))
    }
}
