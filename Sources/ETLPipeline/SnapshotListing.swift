import ETLCore
import ETLPublish

/// The published snapshots of a pipeline's datasets, for `etl snapshots`.
public enum SnapshotListing {
    /// One dataset's versions.
    public struct Entry: Sendable {
        public var dataset: String
        public var recipient: String
        public var identified: Bool
        public var folder: String
        public var versions: [SnapshotCatalog.Version]
        /// Why the current version does not verify, when asked to verify and it does not.
        public var problem: String?
    }

    /// Every dataset of `pipeline` with its versions; `nil` when the pipeline publishes nothing.
    public static func list(pipeline: Pipeline, publishFolder: String?, stateFolder: String, verify: Bool) -> [Entry]? {
        guard let settings = pipeline.publish else { return nil }
        let folder = publishFolder ?? settings.folder ?? PublishStep.defaultFolder(stateFolder: stateFolder)
        return settings.datasets.map { dataset in
            let catalog = SnapshotCatalog(folder: folder, dataset: dataset.name)
            var problem: String?
            if verify, catalog.current != nil {
                do {
                    _ = try catalog.verifyCurrent()
                } catch {
                    problem = "\(error)"
                }
            }
            return Entry(
                dataset: dataset.name, recipient: dataset.recipient, identified: dataset.identified,
                folder: catalog.datasetFolder, versions: catalog.versions(), problem: problem)
        }
    }
}
