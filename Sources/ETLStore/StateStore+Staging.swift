import ETLCore

extension StateStore {
    /// Imports one source file: `body` stages records and rejects through the `FileStager` it
    /// is given. When `body` throws, nothing of the file is kept.
    ///
    /// The file's rows are staged under `runID`, which becomes the source's current run only in
    /// `commitSource`, after the whole export is staged: until then no reader sees any of them.
    /// They are committed in steps of `rowsPerCommit` rows, so that SQLite can checkpoint its
    /// write-ahead log as the import goes instead of copying a whole export's log at the end
    /// (measured: about a second per million rows, on the import's critical path). A file that
    /// fails has its committed steps removed here; a process killed midway leaves rows of a
    /// run that never became current, which nothing reads and `removeAbandonedStaging` drops.
    ///
    /// Record keys are unique per source and run: a key staged before, from this file or an
    /// earlier file of the same export, turns the later record into a reject naming both places.
    public func importFile(
        run runID: Int64, source sourceID: Int64, file: SourceFileInfo,
        _ body: (FileStager) throws -> Void
    ) throws -> RecordCounts {
        var stager: FileStager?
        do {
            return try inTransaction {
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
                let fileStager = try FileStager(
                    store: self, runID: runID, sourceID: sourceID, fileID: database.lastInsertRowID,
                    payloadFields: file.payloadFields)
                stager = fileStager
                try body(fileStager)
                let update = try cached("UPDATE source_files SET read = ?, staged = ?, rejected = ? WHERE id = ?")
                try update.bind([
                    .integer(Int64(fileStager.counts.read)), .integer(Int64(fileStager.counts.staged)),
                    .integer(Int64(fileStager.counts.rejected)), .integer(fileStager.fileID),
                ])
                try update.run()
                return fileStager.counts
            }
        } catch {
            // The open step was rolled back; remove the ones committed before it. Should that
            // fail too, the rows stay invisible and the next run drops them.
            if let stager, stager.hasCommittedSteps {
                try? discardFile(stager.fileID, run: runID, source: sourceID)
            }
            throw error
        }
    }

    /// Removes what a failed file left in committed steps: its staged rows, rejects and entry.
    private func discardFile(_ fileID: Int64, run runID: Int64, source sourceID: Int64) throws(StoreError) {
        try database.inStoreTransaction { () throws(StoreError) in
            try database.run(
                "DELETE FROM staged_records WHERE source_id = ? AND run_id = ? AND file_id = ?",
                [.integer(sourceID), .integer(runID), .integer(fileID)])
            try database.run("DELETE FROM rejects WHERE file_id = ?", [.integer(fileID)])
            try database.run("DELETE FROM source_files WHERE id = ?", [.integer(fileID)])
        }
    }

    /// Drops the staged rows of `pipeline`'s sources that belong to a run that has ended
    /// without making them current: what a killed process or a failed clean-up left behind.
    /// Rows of a run still marked running are kept, as that run may be going on. Returns the
    /// number of rows dropped.
    public func removeAbandonedStaging(pipeline: String) throws(StoreError) -> Int {
        try database.inStoreTransaction { () throws(StoreError) in
            try database.run(
                """
                DELETE FROM staged_records
                WHERE source_id IN (SELECT id FROM sources WHERE pipeline = ?1)
                    AND run_id IN (SELECT id FROM runs WHERE pipeline = ?1 AND status != ?2)
                    AND run_id IS NOT (SELECT current_run_id FROM sources WHERE id = source_id)
                """, [.text(pipeline), .text(RunStatus.running.rawValue)])
            return database.changes
        }
    }

    /// Makes this run's staged records the source's current ones and drops the earlier ones.
    /// A record of the earlier export that the new one no longer has is deleted from the
    /// source: its key is kept in `deleted_records` with this run (a soft delete). Two kinds
    /// of missing record are kept instead, their earlier row made part of this run: one whose
    /// row in the new export was rejected (the reject names its key), and, when some rejected
    /// record has no key that could be read, every missing record, since any of them may be
    /// that one (bad input loses nothing; the deletions wait for an export without such rows).
    /// A JSON value that is not an object is not a record, and a record read whole whose key is
    /// empty has none to lose: neither holds anything back.
    @discardableResult
    public func commitSource(run runID: Int64, source sourceID: Int64) throws -> SourceCommit {
        try inTransaction {
            let previous = try database.scalar("SELECT current_run_id FROM sources WHERE id = ?", [.integer(sourceID)])
            var commit = SourceCommit()
            if let previous = previous?.int64, previous != runID {
                commit.keptForRejects = try carryForward(
                    try rejectedKeys(source: sourceID, run: runID), source: sourceID, from: previous, to: runID)
                let missing = try StateStore.keys(
                    of: try stagedKeys(source: sourceID, run: previous),
                    missingFrom: try stagedKeys(source: sourceID, run: runID))
                // A JSON value that is not an object is no record, and a record without a key
                // was read whole and has none: neither can be one of the missing records.
                let unreadable =
                    try database.scalar(
                        """
                        SELECT count(*) FROM rejects
                        WHERE run_id = ? AND source_id = ? AND record_key IS NULL AND category NOT IN (?, ?)
                        """,
                        [
                            .integer(runID), .integer(sourceID), .text(RejectReason.notAnObject(found: "").category),
                            .text(RejectReason.missingRecordKey(field: "").category),
                        ]
                    )?.int64 ?? 0
                if unreadable > 0 {
                    commit.deletionsHeldBack = try carryForward(missing, source: sourceID, from: previous, to: runID)
                    commit.rejectsWithoutKey = Int(unreadable)
                } else {
                    commit.deleted = try recordDeleted(missing, source: sourceID, run: runID)
                }
            }
            let update = try cached("UPDATE sources SET current_run_id = ? WHERE id = ?")
            try update.bind([.integer(runID), .integer(sourceID)])
            try update.run()
            let delete = try cached("DELETE FROM staged_records WHERE source_id = ? AND run_id != ?")
            try delete.bind([.integer(sourceID), .integer(runID)])
            try delete.run()
            return commit
        }
    }

    /// The keys of this run's rejects for the source that were read, and that no staged row
    /// of the run has.
    private func rejectedKeys(source sourceID: Int64, run runID: Int64) throws(StoreError) -> [String] {
        let select = try database.prepare(
            """
            SELECT DISTINCT j.record_key FROM rejects j
            WHERE j.run_id = ?1 AND j.source_id = ?2 AND j.record_key IS NOT NULL
                AND NOT EXISTS (
                    SELECT 1 FROM staged_records r WHERE r.source_id = ?2 AND r.run_id = ?1 AND r.record_key = j.record_key)
            """)
        try select.bind([.integer(runID), .integer(sourceID)])
        var keys: [String] = []
        while try select.step() { keys.append(select.text(at: 0) ?? "") }
        return keys
    }

    /// Makes the rows that run `previous` staged under `keys` part of run `runID`, as they
    /// were; returns how many there were (a key the earlier export did not have has none).
    private func carryForward(
        _ keys: [String], source sourceID: Int64, from previous: Int64, to runID: Int64
    ) throws(StoreError) -> Int {
        let update = try cached(
            "UPDATE staged_records SET run_id = ? WHERE source_id = ? AND run_id = ? AND record_key = ?")
        var carried = 0
        for key in keys {
            try update.bind([.integer(runID), .integer(sourceID), .integer(previous), .text(key)])
            try update.run()
            carried += database.changes
        }
        return carried
    }

    /// Records `keys` in `deleted_records` under run `runID`, and returns how many.
    private func recordDeleted(_ keys: [String], source sourceID: Int64, run runID: Int64) throws(StoreError) -> Int {
        let insert = try cached(
            "INSERT OR IGNORE INTO deleted_records (run_id, source_id, record_key) VALUES (?, ?, ?)")
        var deleted = 0
        for key in keys {
            try insert.bind([.integer(runID), .integer(sourceID), .text(key)])
            try insert.run()
            deleted += database.changes
        }
        return deleted
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
    /// Rows inserted since the last commit of a step.
    private var rowsInStep = 0
    /// Whether some of this file's rows were committed before the end of the file.
    private(set) var hasCommittedSteps = false

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
            INSERT INTO rejects (run_id, source_id, file_id, line, record_index, byte_offset, category, reason, raw,
                record_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
                rowsInStep += rows
            }
        }
        if rowsInStep >= store.rowsPerCommit {
            try store.database.commitAndContinue()
            rowsInStep = 0
            hasCommittedSteps = true
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
                            + record.payload.map { ($0.name, $0.value) }),
                    recordKey: key))
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
    static let parametersPerRow = 17

    static func insertSQL(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: parametersPerRow).joined(separator: ", ") + ")"
        let values = Array(repeating: row, count: rows)
        return """
            INSERT OR IGNORE INTO staged_records (source_id, run_id, record_key, file_id, line, record_index,
                byte_offset, name, id_number, sex, birth_date, phone, address, sex_code, birth_date_iso, payload,
                content)
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
        var content = RecordContent()
        for (column, index) in FileStager.columnParameters {
            let value = batch.span(row: row, column).map { start, count in
                UnsafeBufferPointer(rebasing: arena[start..<(start + count)])
            }
            // Every column but the key and the payload, in `RecordContent`'s order.
            if column != .key, column != .payload { content.add(value) }
            if let value {
                try statement.bind(borrowedText: value, at: base + index)
            } else {
                try statement.bind(.null, at: base + index)
            }
        }
        try statement.bind(int: content.value, at: base + 17)
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
            reject.recordKey.map { .text($0) } ?? .null,
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

/// What committing a source's export did to its earlier records.
public struct SourceCommit: Sendable, Equatable {
    /// Records the new export no longer has, deleted from the source.
    public var deleted = 0
    /// Earlier records kept as they were because their row in the new export was rejected.
    public var keptForRejects = 0
    /// Records the new export no longer has that were kept rather than deleted, because some
    /// of its rejected rows have no key that could be read (`rejectsWithoutKey` of them).
    public var deletionsHeldBack = 0
    public var rejectsWithoutKey = 0

    public init() {}
}
