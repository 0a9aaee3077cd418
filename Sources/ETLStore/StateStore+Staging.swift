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
                INSERT INTO source_files (run_id, source_id, path, size, sha256, encoding, read, staged, rejected,
                    imported_at, payload_fields)
                VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?)
                """)
            try insertFile.bind([
                .integer(runID), .integer(sourceID), .text(file.path), .integer(Int64(file.size)),
                .text(file.sha256), .text(file.encoding), .text(Timestamp.now()),
                .text("[" + file.payloadFields.map(JSONWriter.string).joined(separator: ",") + "]"),
            ])
            try insertFile.run()
            let stager = try FileStager(
                store: self, runID: runID, sourceID: sourceID, fileID: database.lastInsertRowID,
                payloadFields: file.payloadFields)
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
    private let payloadFields: [String]
    private let insertRecord: Statement
    private let insertChunk: Statement
    private let insertReject: Statement
    private let findKey: Statement
    /// What this file has read, staged and rejected so far.
    public private(set) var counts = RecordCounts()

    init(store: StateStore, runID: Int64, sourceID: Int64, fileID: Int64, payloadFields: [String]) throws(StoreError) {
        self.store = store
        self.payloadFields = payloadFields
        self.runID = runID
        self.sourceID = sourceID
        self.fileID = fileID
        insertRecord = try store.cached(FileStager.insertSQL(rows: 1))
        insertChunk = try store.cached(FileStager.insertSQL(rows: FileStager.chunkRows))
        insertReject = try store.cached(
            """
            INSERT INTO rejects (run_id, source_id, file_id, line, record_index, byte_offset, category, reason, raw)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        findKey = try store.cached(
            """
            SELECT r.file_id, f.path, r.line, r.record_index, r.byte_offset FROM staged_records r
            JOIN source_files f ON f.id = r.file_id
            WHERE r.source_id = ? AND r.run_id = ? AND r.record_key = ?
            """)
    }

    /// Stages one record (a convenience over `stage(_: RowBatch)`).
    public func stage(_ record: SourceRecord) throws(StoreError) {
        precondition(
            record.payload.map(\.name) == payloadFields, "a record's payload must list the file's payload fields")
        var batch = RowBatch(file: record.location.file)
        batch.append(record)
        try stage(batch)
    }

    /// Stages a batch's rows and records its rejects. A row whose key was already staged in
    /// this export becomes a reject naming both places.
    public func stage(_ batch: RowBatch) throws(StoreError) {
        var duplicates: [Int] = []
        defer {
            insertChunk.clearBindings()
            insertRecord.clearBindings()
        }
        try batch.arena.withUnsafeBufferPointer { arena throws(StoreError) in
            var row = 0
            // Rows go in chunks of `chunkRows` per statement, which saves most of the
            // per-statement work; the rest go one by one.
            while row < batch.count {
                let rows = batch.count - row >= FileStager.chunkRows ? FileStager.chunkRows : 1
                let statement = rows == 1 ? insertRecord : insertChunk
                statement.reset()
                for offset in 0..<rows {
                    try bind(
                        row: row + offset, of: batch, arena: arena, to: statement,
                        base: Int32(offset * FileStager.parametersPerRow))
                }
                try statement.run()
                let inserted = store.database.changes
                counts.read += rows
                counts.staged += inserted
                if inserted < rows {
                    // Some keys were staged before: find the rows that are not the ones stored.
                    for offset in 0..<rows {
                        let stored = try storedRow(withKey: batch.string(row: row + offset, .key) ?? "")
                        let index = batch.positions[row + offset].recordIndex
                        if stored?.fileID != fileID || stored?.location.recordIndex != index {
                            duplicates.append(row + offset)
                        }
                    }
                }
                row += rows
            }
        }
        for row in duplicates {
            let key = batch.string(row: row, .key) ?? ""
            guard let first = try storedRow(withKey: key)?.location else {
                throw .sqlite(code: 1, message: "a key conflicted but no staged record has it", sql: findKey.sql)
            }
            let record = batch.record(row: row, payloadFields: payloadFields)
            try insert(
                Reject(
                    location: record.location, reason: .duplicateRecordKey(key: key, first: first),
                    raw: JSONWriter.object(
                        [("key", key)] + CanonicalField.allCases.map { ($0.rawValue, record.fields[$0]) }
                            + record.payload.map { ($0.name, $0.value) })))
        }
        for reject in batch.rejects {
            try self.reject(reject)
        }
    }

    /// Rows per INSERT. The statement is `INSERT OR IGNORE`, so no constraint can abort it
    /// midway and SQLite needs no statement journal for it; a repeated key is ignored and
    /// found afterwards by comparing the changed-row count.
    static let chunkRows = 16
    /// The SQL parameters one row binds.
    static let parametersPerRow = 16

    static func insertSQL(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: parametersPerRow).joined(separator: ", ") + ")"
        let values = Array(repeating: row, count: rows)
        return """
            INSERT OR IGNORE INTO staged_records (source_id, run_id, record_key, file_id, line, record_index,
                byte_offset, name, id_number, sex, birth_date, phone, address, sex_code, birth_date_iso, payload)
            VALUES \(values.joined(separator: ", "))
            """
    }

    private func bind(
        row: Int, of batch: RowBatch, arena: UnsafeBufferPointer<UInt8>, to statement: Statement, base: Int32
    ) throws(StoreError) {
        let position = batch.positions[row]
        try statement.bind(int: sourceID, at: base + 1)
        try statement.bind(int: runID, at: base + 2)
        try statement.bind(int: fileID, at: base + 4)
        try statement.bind(int: Int64(position.line), at: base + 5)
        try statement.bind(int: Int64(position.recordIndex), at: base + 6)
        try statement.bind(position.byteOffset, at: base + 7)
        for (column, index) in FileStager.columnParameters {
            if let (start, count) = batch.span(row: row, column) {
                try statement.bind(
                    borrowedText: UnsafeBufferPointer(rebasing: arena[start..<(start + count)]), at: base + index)
            } else {
                try statement.bind(.null, at: base + index)
            }
        }
    }

    /// The SQL parameter each row column binds to.
    private static let columnParameters: [(RowBatch.Column, Int32)] = [
        (.key, 3), (.name, 8), (.idNumber, 9), (.sex, 10), (.birthDate, 11), (.phone, 12), (.address, 13),
        (.sexCode, 14), (.birthDateISO, 15), (.payload, 16),
    ]

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

    /// The staged record of this export with `key`: the file it came from and where.
    private func storedRow(withKey key: String) throws(StoreError) -> (fileID: Int64, location: RecordLocation)? {
        try findKey.bind([.integer(sourceID), .integer(runID), .text(key)])
        defer { findKey.reset() }
        guard try findKey.step() else { return nil }
        let location = RecordLocation(
            file: findKey.text(at: 1) ?? "", line: findKey.int(at: 2) ?? 0, recordIndex: findKey.int(at: 3) ?? 0,
            byteOffset: findKey.int(at: 4))
        return (Int64(findKey.int(at: 0) ?? 0), location)
    }
}
