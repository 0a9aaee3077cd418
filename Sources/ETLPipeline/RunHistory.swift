import ETLNormalise
import ETLStore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads past runs from a state folder without creating one.
public enum RunHistory {
    /// A past run, as the state store keeps it.
    public typealias Run = RunSummary
    /// What happened to residents in a run.
    public typealias ResidentEvent = ResidentEventKind

    /// The most recent runs, newest first; empty when the folder holds no state store yet. A
    /// run recorded as running while nobody holds the run lock has ended without finishing: it
    /// is shown as interrupted (the next run records it so), never as running for ever, with
    /// the message the next run will record: what of it became current.
    ///
    /// - Throws: `PipelineError.noStateFolder` when `stateFolder` does not exist: a mistyped
    ///   `--state` must not read as a pipeline that never ran.
    public static func recent(stateFolder: String, limit: Int) throws(PipelineError) -> [RunSummary] {
        try readingExisting(stateFolder) { store throws(StoreError) in
            var runs = try store.runs(limit: limit)
            if runs.contains(where: { $0.status == .running }), !RunLock.isHeld(stateFolder: stateFolder) {
                for index in runs.indices where runs[index].status == .running {
                    runs[index].status = .interrupted
                    runs[index].message = try store.interruptionMessage(run: runs[index].id)
                }
            }
            return runs
        } ?? []
    }

    /// `reading`, for a folder that must exist: a mistyped `--state` must not read as a
    /// pipeline that never ran.
    static func readingExisting<T>(
        _ stateFolder: String, _ body: (StateStore) throws(StoreError) -> T
    ) throws(PipelineError) -> T? {
        guard access(stateFolder, F_OK) == 0 else { throw .noStateFolder(stateFolder) }
        return try reading(stateFolder, body)
    }

    /// Runs `body` on the store in `stateFolder`, or returns `nil` when the folder holds no
    /// store yet: readers never create a state folder, and a file in its place is an error.
    static func reading<T>(
        _ stateFolder: String, _ body: (StateStore) throws(StoreError) -> T
    ) throws(PipelineError) -> T? {
        if access(stateFolder, F_OK) == 0, !FilePaths.isDirectory(stateFolder) {
            throw .store(.cannotOpen(path: stateFolder, reason: "it is a file, not a state folder"))
        }
        guard access(stateFolder + "/" + StateStore.databaseName, F_OK) == 0 else { return nil }
        do {
            return try body(try StateStore(folder: stateFolder))
        } catch {
            throw .store(error)
        }
    }
}

/// Reads which resident each current record belongs to, without creating a state folder.
public enum ResidentLinks {
    /// A current record and its resident.
    public typealias Link = ResidentLink

    /// Every current record of `pipeline` with its resident ID, by source and key; `nil` when
    /// the folder holds no state store yet.
    public static func current(pipeline: String, stateFolder: String) throws(PipelineError) -> [ResidentLink]? {
        try RunHistory.reading(stateFolder) { store throws(StoreError) in try store.links(pipeline: pipeline) }
    }
}

/// The rejects of each source's latest import, for `etl rejects`.
public enum LatestRejects {
    /// A reject, where and why, with its key and (when revealed) raw text.
    public typealias Reject = ListedReject

    /// `nil` when the folder holds no state store yet. Revealing the raw text (which may hold
    /// personal data) is written to the audit log.
    /// - Throws: `PipelineError.noStateFolder` when `stateFolder` does not exist.
    public static func list(
        pipeline: String, stateFolder: String, revealing: Bool
    ) throws(PipelineError) -> [ListedReject]? {
        try RunHistory.readingExisting(stateFolder) { store throws(StoreError) in
            if revealing { try store.audit(action: "rejects --reveal", subject: pipeline) }
            return try store.latestRejects(pipeline: pipeline, revealing: revealing)
        }
    }
}

/// The records a resolution reads, for tools that examine it (the quality harness).
public enum ResolutionInputs {
    /// The current records of the pipeline in `stateFolder`, as the resolver's inputs, with
    /// each one's source name and key; `nil` when the folder holds no state store yet.
    public static func load(
        pipeline: Pipeline, stateFolder: String
    ) throws(PipelineError) -> [(source: String, key: String, input: ResolverInput)]? {
        try RunHistory.reading(stateFolder) { store throws(StoreError) in
            let cursor = try store.resolvableRecords(pipeline: pipeline.name)
            var loaded: [(source: String, key: String, input: ResolverInput)] = []
            while let record = try cursor.next() {
                loaded.append(
                    (
                        record.source, record.key,
                        ResolveStep.input(record, since: ResolveStep.LinkState(record).since, pipeline: pipeline)
                    ))
            }
            return loaded
        }
    }
}
