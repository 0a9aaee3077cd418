import ETLCore
import ETLPublish
import ETLStore

/// `etl gc`: applies snapshot retention and prunes old run history, under the run lock.
public enum Housekeeping {
    /// What housekeeping removed, or would remove in a dry run.
    public struct Report: Sendable {
        /// Per dataset, the versions removed.
        public var snapshots: [(dataset: String, versions: [String])]
        public var history: HistoryPruning
        public var keepRuns: Int
    }

    /// Runs housekeeping for `pipeline` on `stateFolder`; nothing changes with `dryRun`.
    public static func run(
        pipeline: Pipeline, stateFolder: String, publishFolder: String?, dryRun: Bool
    ) throws(PipelineError) -> Report {
        guard FilePaths.isDirectory(stateFolder) else {
            throw .store(.cannotOpen(path: stateFolder, reason: "there is no state folder; run the pipeline first"))
        }
        let lock = try RunLock(stateFolder: stateFolder)
        defer { withExtendedLifetime(lock) {} }
        var snapshots: [(dataset: String, versions: [String])] = []
        if let settings = pipeline.publish {
            let folder = publishFolder ?? settings.folder ?? PublishStep.defaultFolder(stateFolder: stateFolder)
            for dataset in settings.datasets {
                let catalog = SnapshotCatalog(folder: folder, dataset: dataset.name)
                let versions =
                    dryRun
                    ? catalog.versionsBeyondRetention(keep: settings.retain)
                    : catalog.applyRetention(keep: settings.retain)
                snapshots.append((dataset.name, versions))
            }
        }
        do {
            let store = try StateStore(folder: stateFolder)
            let history = try store.pruneHistory(
                pipeline: pipeline.name, keepRuns: pipeline.keepRuns, dryRun: dryRun)
            return Report(snapshots: snapshots, history: history, keepRuns: pipeline.keepRuns)
        } catch {
            throw .store(error)
        }
    }
}
