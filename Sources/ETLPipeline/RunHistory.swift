import ETLStore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads past runs from a state folder without creating one.
public enum RunHistory {
    /// A past run, as the state store keeps it.
    public typealias Run = RunSummary

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
