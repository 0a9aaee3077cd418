import ETLCore

extension StateStore {
    /// Records the start of a run and returns its id.
    public func beginRun(
        pipeline: String, pipelineSHA256: String, inputSHA256: String? = nil
    ) throws(StoreError) -> Int64 {
        let insert = try cached(
            "INSERT INTO runs (pipeline, pipeline_sha256, started_at, status, input_sha256) VALUES (?, ?, ?, ?, ?)")
        try insert.bind([
            .text(pipeline), .text(pipelineSHA256), .text(Timestamp.now()), .text(RunStatus.running.rawValue),
            .text(inputSHA256 ?? pipelineSHA256),
        ])
        try insert.run()
        return database.lastInsertRowID
    }

    /// Marks the runs still shown as running as interrupted: called by a run that holds the
    /// state folder's lock, so no other run can be going on. Returns their ids. Their end time
    /// stays unknown (`finished_at` NULL): the process left none, and the time of this call
    /// would make them look as long as the pause before the next run.
    public func markInterruptedRuns() throws(StoreError) -> [Int64] {
        let select = try database.prepare("SELECT id FROM runs WHERE status = ? ORDER BY id")
        try select.bind([.text(RunStatus.running.rawValue)])
        var ids: [Int64] = []
        while try select.step() { ids.append(Int64(select.int(at: 0) ?? 0)) }
        for id in ids {
            try database.run(
                "UPDATE runs SET status = ?, finished_at = NULL, message = ? WHERE id = ?",
                [.text(RunStatus.interrupted.rawValue), .text(try interruptionMessage(run: id)), .integer(id)])
        }
        return ids
    }

    /// What a run whose process ended before it did (killed, or the machine stopped) left
    /// behind, for its message: the stages of a run commit one by one, so its imports or its
    /// resolution may have become current before it ended. Read before any later run changes
    /// what is current.
    public func interruptionMessage(run runID: Int64) throws(StoreError) -> String {
        let run: [SQLValue] = [.integer(runID)]
        let sources = try database.prepare("SELECT name FROM sources WHERE current_run_id = ? ORDER BY id")
        try sources.bind(run)
        var imported: [String] = []
        while try sources.step() { imported.append(sources.text(at: 0) ?? "") }
        let resolved = try database.scalar("SELECT EXISTS (SELECT 1 FROM match_models WHERE run_id = ?)", run)
        let datasets = try database.prepare(
            "SELECT dataset, version FROM run_datasets WHERE run_id = ? AND status = 'published' ORDER BY rowid")
        try datasets.bind(run)
        var published: [String] = []
        while try datasets.step() {
            published.append([datasets.text(at: 0), datasets.text(at: 1)].compactMap { $0 }.joined(separator: " "))
        }
        let publishes = try database.scalar(
            """
            SELECT EXISTS (SELECT 1 FROM run_datasets d JOIN runs r ON r.id = d.run_id
                WHERE r.pipeline = (SELECT pipeline FROM runs WHERE id = ?))
            """, run)
        var parts = [
            imported.isEmpty
                ? "none of the records it imported became current (the earlier ones stayed)"
                : "the records it imported from \(StateStore.list(imported)) became current",
            resolved?.int64 == 1
                ? "its resolution of residents was saved and became current"
                : "its resolution of residents was not saved (the residents stayed as the last run left them)",
        ]
        if !published.isEmpty {
            parts.append("it published \(StateStore.list(published))")
        } else if publishes?.int64 == 1 {
            parts.append(
                "a dataset version it may have published before it ended stays current ('etl snapshots' lists them)")
        }
        return StateStore.interruptedPreamble + parts.joined(separator: "; ")
    }

    /// How the message of a run whose process ended before it did begins.
    static let interruptedPreamble =
        "the process ended before the run did (killed, or the machine stopped), at a time not recorded; "

    /// The message earlier versions gave such a run, though its imports or resolution may have
    /// become current; shown as `legacyInterruptedReplacement`, with no end time.
    static let legacyInterruptedMessage = "the process ended before the run did; nothing of it became current"
    static let legacyInterruptedReplacement =
        interruptedPreamble + "what it had committed (imports, resolution, datasets) stays, as it was when it ended"

    /// "a", "a and b", "a, b and c".
    private static func list(_ names: [String]) -> String {
        names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    /// A file of an export, as far as telling exports apart goes.
    public struct FileIdentity: Hashable, Sendable {
        public var path: String
        public var size: Int
        public var sha256: String

        public init(path: String, size: Int, sha256: String) {
            self.path = path
            self.size = size
            self.sha256 = sha256
        }
    }

    /// The export the source's current records came from: its files, and the input SHA-256
    /// (of what import reads in the pipeline file) of the run that staged them; `nil` when the
    /// source has no current records.
    public func currentExport(
        source sourceID: Int64
    ) throws(StoreError) -> (
        inputSHA256: String, files: [FileIdentity]
    )? {
        let select = try database.prepare(
            """
            SELECT coalesce(r.input_sha256, r.pipeline_sha256), f.path, f.size, f.sha256 FROM sources s
            JOIN runs r ON r.id = s.current_run_id
            JOIN source_files f ON f.run_id = s.current_run_id AND f.source_id = s.id
            WHERE s.id = ?
            """)
        try select.bind([.integer(sourceID)])
        var inputSHA256: String?
        var files: [FileIdentity] = []
        while try select.step() {
            inputSHA256 = select.text(at: 0)
            files.append(
                FileIdentity(
                    path: select.text(at: 1) ?? "", size: select.int(at: 2) ?? 0, sha256: select.text(at: 3) ?? ""))
        }
        return inputSHA256.map { ($0, files) }
    }

    /// The latest run of `pipeline` that saved a resolution, its input SHA-256 (of what
    /// import and resolution read in the pipeline file),
    /// whether a reviewer decided a pair after it started (the decision is not yet applied),
    /// and whether the current records are still the ones it read.
    public func lastResolution(
        pipeline: String
    ) throws(StoreError) -> (run: Int64, inputSHA256: String, decidedSince: Bool, sameInputs: Bool)? {
        let select = try database.prepare(
            """
            SELECT m.run_id, coalesce(r.input_sha256, r.pipeline_sha256),
                EXISTS (SELECT 1 FROM review_decisions d WHERE d.pipeline = ?1 AND d.at >= r.started_at), m.inputs
            FROM match_models m JOIN runs r ON r.id = m.run_id
            WHERE m.pipeline = ?1 ORDER BY m.run_id DESC LIMIT 1
            """)
        try select.bind([.text(pipeline)])
        guard try select.step() else { return nil }
        let inputs = select.text(at: 3)
        let current = try currentInputs(pipeline)
        return (
            Int64(select.int(at: 0) ?? 0), select.text(at: 1) ?? "", select.int(at: 2) == 1,
            inputs != nil && inputs == current
        )
    }

    /// Whether the current records of `pipeline` differ from the ones the last resolution
    /// saved: a record without a link, or whose values' hash (`RecordContent`) is not its
    /// link's, or a link whose record is no longer current. The first test stops at the first
    /// difference, so that it costs a full scan only when nothing changed.
    public func recordsChangedSinceResolution(pipeline: String) throws(StoreError) -> Bool {
        let select = try database.prepare(
            """
            SELECT EXISTS (
                SELECT 1 FROM sources s JOIN staged_records r ON r.source_id = s.id AND r.run_id = s.current_run_id
                LEFT JOIN links l ON l.source_id = r.source_id AND l.record_key = r.record_key
                WHERE s.pipeline = ? AND (r.content IS NULL OR l.content IS NOT r.content)
            )
            """)
        try select.bind([.text(pipeline)])
        guard try select.step(), select.int(at: 0) == 0 else { return true }
        return try !linksOfGoneRecords(pipeline: pipeline).isEmpty
    }

    /// Which runs' records are current for `pipeline`: `source:run` pairs by source.
    func currentInputs(_ pipeline: String) throws(StoreError) -> String {
        let select = try database.prepare(
            """
            SELECT id, current_run_id FROM sources
            WHERE pipeline = ? AND current_run_id IS NOT NULL ORDER BY id
            """)
        try select.bind([.text(pipeline)])
        var pairs: [String] = []
        while try select.step() { pairs.append("\(select.int(at: 0) ?? 0):\(select.int(at: 1) ?? 0)") }
        return pairs.joined(separator: ",")
    }

    /// Records how a run ended.
    public func finishRun(_ runID: Int64, status: RunStatus, message: String? = nil) throws(StoreError) {
        let update = try cached("UPDATE runs SET status = ?, finished_at = ?, message = ? WHERE id = ?")
        try update.bind([
            .text(status.rawValue), .text(Timestamp.now()), message.map(SQLValue.text) ?? .null, .integer(runID),
        ])
        try update.run()
    }

    /// The id of the source `name` of `pipeline`, created on first use.
    public func sourceID(pipeline: String, name: String) throws(StoreError) -> Int64 {
        let insert = try cached("INSERT INTO sources (pipeline, name) VALUES (?, ?) ON CONFLICT DO NOTHING")
        try insert.bind([.text(pipeline), .text(name)])
        try insert.run()
        let select = try cached("SELECT id FROM sources WHERE pipeline = ? AND name = ?")
        try select.bind([.text(pipeline), .text(name)])
        guard try select.step(), let id = select.int(at: 0) else {
            throw .sqlite(code: 1, message: "the source row vanished after insert", sql: select.sql)
        }
        select.reset()
        return Int64(id)
    }

    /// Retires the sources of `pipeline` whose names are not in `current`: they no longer hold
    /// any current record. Returns their names.
    public func retireSources(pipeline: String, keeping current: [String]) throws(StoreError) -> [String] {
        let select = try database.prepare(
            "SELECT id, name FROM sources WHERE pipeline = ? AND current_run_id IS NOT NULL ORDER BY name")
        try select.bind([.text(pipeline)])
        var retired: [(Int64, String)] = []
        while try select.step() {
            let name = select.text(at: 1) ?? ""
            if !current.contains(name) { retired.append((Int64(select.int(at: 0) ?? 0), name)) }
        }
        try database.inStoreTransaction { () throws(StoreError) in
            for (id, _) in retired {
                try database.run("UPDATE sources SET current_run_id = NULL WHERE id = ?", [.integer(id)])
                try database.run("DELETE FROM staged_records WHERE source_id = ?", [.integer(id)])
            }
        }
        return retired.map(\.1)
    }

    /// Records one source's outcome in a run.
    public func recordSource(
        run runID: Int64, source sourceID: Int64, status: RunStatus, files: Int, counts: RecordCounts,
        deleted: Int = 0, kept: Int = 0, heldBack: Int = 0, message: String?
    ) throws(StoreError) {
        let upsert = try cached(
            """
            INSERT OR REPLACE INTO run_sources (run_id, source_id, status, files, read, staged, rejected, deleted,
                kept, held_back, message)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try upsert.bind([
            .integer(runID), .integer(sourceID), .text(status.rawValue), .integer(Int64(files)),
            .integer(Int64(counts.read)), .integer(Int64(counts.staged)), .integer(Int64(counts.rejected)),
            .integer(Int64(deleted)), .integer(Int64(kept)), .integer(Int64(heldBack)),
            message.map(SQLValue.text) ?? .null,
        ])
        try upsert.run()
    }

    /// Records what a run published of each dataset.
    public func recordDatasets(run runID: Int64, _ datasets: [DatasetRunSummary]) throws(StoreError) {
        try database.inStoreTransaction { () throws(StoreError) in
            let insert = try database.prepare(
                """
                INSERT OR REPLACE INTO run_datasets (run_id, dataset, status, version, rows, suppressed, message)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for dataset in datasets {
                try insert.bind([
                    .integer(runID), .text(dataset.name), .text(dataset.status),
                    dataset.version.map(SQLValue.text) ?? .null,
                    .integer(Int64(dataset.rows)), .integer(Int64(dataset.suppressed)),
                    dataset.message.map(SQLValue.text) ?? .null,
                ])
                try insert.run()
            }
        }
    }

    /// The most recent runs, newest first.
    public func runs(limit: Int = 20) throws(StoreError) -> [RunSummary] {
        let select = try database.prepare(
            "SELECT id, pipeline, status, started_at, finished_at, message FROM runs ORDER BY id DESC LIMIT ?")
        try select.bind([.integer(Int64(limit))])
        var runs: [RunSummary] = []
        while try select.step() {
            var run = RunSummary(
                id: Int64(select.int(at: 0) ?? 0), pipeline: select.text(at: 1) ?? "",
                status: RunStatus(rawValue: select.text(at: 2) ?? "") ?? .failed,
                startedAt: select.text(at: 3) ?? "", finishedAt: select.text(at: 4), message: select.text(at: 5),
                sources: [])
            // Earlier versions recorded the time the next run began as the end of a killed run,
            // and said nothing of it became current: neither is known any more.
            if run.status == .interrupted, run.message == StateStore.legacyInterruptedMessage {
                run.finishedAt = nil
                run.message = StateStore.legacyInterruptedReplacement
            }
            runs.append(run)
        }
        let sources = try database.prepare(
            """
            SELECT s.name, r.status, r.files, r.read, r.staged, r.rejected, r.message, r.deleted, r.kept, r.held_back
            FROM run_sources r JOIN sources s ON s.id = r.source_id
            WHERE r.run_id = ? ORDER BY s.id
            """)
        let datasets = try database.prepare(
            "SELECT dataset, status, version, rows, suppressed, message FROM run_datasets WHERE run_id = ? ORDER BY rowid"
        )
        for index in runs.indices {
            try sources.bind([.integer(runs[index].id)])
            while try sources.step() {
                runs[index].sources.append(
                    SourceRunSummary(
                        name: sources.text(at: 0) ?? "",
                        status: RunStatus(rawValue: sources.text(at: 1) ?? "") ?? .failed,
                        files: sources.int(at: 2) ?? 0,
                        counts: RecordCounts(
                            read: sources.int(at: 3) ?? 0, staged: sources.int(at: 4) ?? 0,
                            rejected: sources.int(at: 5) ?? 0),
                        deleted: sources.int(at: 7) ?? 0, keptForRejects: sources.int(at: 8) ?? 0,
                        deletionsHeldBack: sources.int(at: 9) ?? 0, message: sources.text(at: 6)))
            }
            runs[index].residentEvents = try residentEventCounts(run: runs[index].id)
            try datasets.bind([.integer(runs[index].id)])
            while try datasets.step() {
                runs[index].datasets.append(
                    DatasetRunSummary(
                        name: datasets.text(at: 0) ?? "", status: datasets.text(at: 1) ?? "",
                        version: datasets.text(at: 2), rows: datasets.int(at: 3) ?? 0,
                        suppressed: datasets.int(at: 4) ?? 0, message: datasets.text(at: 5)))
            }
        }
        return runs
    }
}
