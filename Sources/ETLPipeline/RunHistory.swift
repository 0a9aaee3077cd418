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

    /// The most recent runs, newest first; empty when the folder holds no state store yet.
    public static func recent(stateFolder: String, limit: Int) throws(PipelineError) -> [RunSummary] {
        if access(stateFolder, F_OK) == 0, !FilePaths.isDirectory(stateFolder) {
            throw .store(.cannotOpen(path: stateFolder, reason: "it is a file, not a state folder"))
        }
        guard access(stateFolder + "/" + StateStore.databaseName, F_OK) == 0 else { return [] }
        do {
            return try StateStore(folder: stateFolder).runs(limit: limit)
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
        if access(stateFolder, F_OK) == 0, !FilePaths.isDirectory(stateFolder) {
            throw .store(.cannotOpen(path: stateFolder, reason: "it is a file, not a state folder"))
        }
        guard access(stateFolder + "/" + StateStore.databaseName, F_OK) == 0 else { return nil }
        do {
            return try StateStore(folder: stateFolder).links(pipeline: pipeline)
        } catch {
            throw .store(error)
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
        guard access(stateFolder + "/" + StateStore.databaseName, F_OK) == 0 else { return nil }
        do {
            let cursor = try StateStore(folder: stateFolder).resolvableRecords(pipeline: pipeline.name)
            var loaded: [(source: String, key: String, input: ResolverInput)] = []
            while let record = try cursor.next() {
                loaded.append((record.source, record.key, ResolveStep.input(record, pipeline: pipeline)))
            }
            return loaded
        } catch {
            throw .store(error)
        }
    }
}
