import ETLCore

/// What pruning the run history removed (or, in a dry run, would remove).
public struct HistoryPruning: Sendable, Equatable {
    /// The pipeline's runs, before pruning.
    public var totalRuns = 0
    /// The oldest run kept whole; `nil` when every run is within the latest `keepRuns`.
    public var oldestKeptRun: Int64?
    public var runs = 0
    public var rejects = 0
    public var deletedRecords = 0
    public var matchModels = 0
    public var sourceFiles = 0

    public init() {}
}

extension StateStore {
    /// Prunes the history of `pipeline` older than its latest `keepRuns` runs: their rejects
    /// (whose raw text may hold personal data), soft-deleted keys, per-run dataset records,
    /// match models (the latest is always kept), the entries of files that are no longer
    /// current, and the runs themselves where nothing refers to them any more (a run that
    /// created or last changed a resident stays, as do resident events). With `dryRun`, makes
    /// the same deletions in a transaction that is rolled back: each step frees rows that a
    /// later one may then remove (a file entry once its rejects are gone, a run once its match
    /// model is), so only doing them counts exactly what a real pruning removes.
    public func pruneHistory(pipeline: String, keepRuns: Int, dryRun: Bool) throws(StoreError) -> HistoryPruning {
        let prune = { () throws(StoreError) -> HistoryPruning in
            try self.prune(pipeline: pipeline, keepRuns: keepRuns)
        }
        return dryRun ? try database.inRolledBackTransaction(prune) : try database.inStoreTransaction(prune)
    }

    /// `pruneHistory`'s deletions, inside the transaction it opens.
    private func prune(pipeline: String, keepRuns: Int) throws(StoreError) -> HistoryPruning {
        var pruning = HistoryPruning()
        pruning.totalRuns = Int(
            try database.scalar("SELECT count(*) FROM runs WHERE pipeline = ?", [.text(pipeline)])?.int64 ?? 0)
        guard pruning.totalRuns > keepRuns else { return pruning }
        let cutoff = try database.scalar(
            "SELECT id FROM runs WHERE pipeline = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
            [.text(pipeline), .integer(Int64(max(0, keepRuns - 1)))])?.int64
        guard let cutoff else { return pruning }
        pruning.oldestKeptRun = cutoff
        let old = "SELECT id FROM runs WHERE pipeline = ?1 AND id < ?2"
        let current = "SELECT current_run_id FROM sources WHERE current_run_id IS NOT NULL"
        let arguments: [SQLValue] = [.text(pipeline), .integer(cutoff)]
        func remove(_ sql: String) throws(StoreError) -> Int {
            try database.run("DELETE FROM " + sql, arguments)
            return database.changes
        }
        let latestModel = "(SELECT max(run_id) FROM match_models WHERE pipeline = ?1)"
        // A record kept from an earlier export (its new row was rejected) still names the file
        // it was read from.
        let filesOfStagedRows = "SELECT DISTINCT file_id FROM staged_records"
        let unreferenced = """
            runs WHERE pipeline = ?1 AND id < ?2 AND id NOT IN (\(current))
                AND id NOT IN (SELECT created_run FROM residents)
                AND id NOT IN (SELECT updated_run FROM residents)
                AND id NOT IN (SELECT ended_run FROM residents WHERE ended_run IS NOT NULL)
                AND id NOT IN (SELECT run_id FROM resident_events)
                AND id NOT IN (SELECT run_id FROM match_models)
            """
        pruning.rejects = try remove("rejects WHERE run_id IN (\(old)) AND run_id NOT IN (\(current))")
        pruning.deletedRecords = try remove("deleted_records WHERE run_id IN (\(old))")
        pruning.matchModels = try remove(
            "match_models WHERE run_id IN (\(old)) AND run_id != \(latestModel)")
        pruning.sourceFiles = try remove(
            "source_files WHERE run_id IN (\(old)) AND run_id NOT IN (\(current)) AND id NOT IN (SELECT file_id FROM rejects) AND id NOT IN (\(filesOfStagedRows))"
        )
        _ = try remove("run_datasets WHERE run_id IN (SELECT id FROM \(unreferenced))")
        _ = try remove("run_sources WHERE run_id IN (SELECT id FROM \(unreferenced))")
        pruning.sourceFiles += try remove(
            "source_files WHERE run_id IN (SELECT id FROM \(unreferenced)) AND id NOT IN (SELECT file_id FROM rejects) AND id NOT IN (\(filesOfStagedRows))"
        )
        pruning.runs = try remove(
            "\(unreferenced) AND id NOT IN (SELECT run_id FROM source_files) AND id NOT IN (SELECT run_id FROM rejects)"
        )
        return pruning
    }
}
