import ETLCore
import ETLPublish
import ETLStore

#if canImport(Glibc)
    import Glibc
#endif

/// Publishes a pipeline's datasets from the resolved residents: the last step of a run.
struct PublishStep {
    let pipeline: Pipeline
    let settings: PublishSettings
    let store: StateStore
    let stateFolder: String
    /// Overrides the pipeline's publish folder (`--publish-dir`).
    var folder: String?
    /// The date ages are computed on (yyyymmdd); today by default.
    var snapshotDate: Int32?
    var stopRequested: @Sendable () -> String? = { nil }
    /// Called between staging a version and making it current (tests).
    var beforeFlip: ((String) throws(PublishError) -> Void)?

    func run(runID: Int64) throws -> PublishReport {
        var exports: [DataPackage.SourceExport] = []
        for source in pipeline.sources {
            let sourceID = try store.sourceID(pipeline: pipeline.name, name: source.name)
            let files = try store.currentExport(source: sourceID)?.files ?? []
            exports.append(
                DataPackage.SourceExport(
                    name: source.name, records: try store.stagedCount(pipeline: pipeline.name, source: source.name),
                    files: files.map { .init(path: $0.path, bytes: $0.size, sha256: $0.sha256) }))
        }
        let context = PublishContext(
            pipeline: pipeline.name, pipelineSHA256: pipeline.sha256, runID: runID,
            sources: pipeline.sources.map(\.name), exports: exports,
            snapshotDate: snapshotDate ?? PublishStep.today(),
            folder: folder ?? settings.folder ?? PublishStep.defaultFolder(stateFolder: stateFolder),
            stateFolder: stateFolder)
        var publisher = Publisher(settings: settings, context: context)
        publisher.beforeFlip = beforeFlip
        return try publisher.publish(store: store, stopRequested: stopRequested)
    }

    /// Where a pipeline that names no publish folder publishes: `published` in the state folder.
    static func defaultFolder(stateFolder: String) -> String {
        FilePaths.join(stateFolder, "published")
    }

    /// Today's local date as yyyymmdd.
    static func today() -> Int32 {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return Int32((parts.tm_year + 1900) * 10000 + (parts.tm_mon + 1) * 100 + parts.tm_mday)
    }

}

extension Runner {
    /// `2026-11-27` → 20261127, or `nil` when it is not a real date (for `--snapshot-date`).
    public static func date(_ text: String) -> Int32? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            DatePattern.isValid(year: year, month: month, day: day)
        else { return nil }
        return Int32(year * 10000 + month * 100 + day)
    }
}
