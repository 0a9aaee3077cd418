import Dispatch
import ETLCore
import ETLStore

#if canImport(Glibc)
    import Glibc
#endif

/// What a publish needs to know about the run and the pipeline.
public struct PublishContext: Sendable {
    public var pipeline: String
    public var pipelineSHA256: String
    public var runID: Int64
    /// The pipeline's sources, in its order.
    public var sources: [String]
    /// Each source's current export, for the manifest.
    public var exports: [DataPackage.SourceExport]
    /// The date ages are computed on, yyyymmdd.
    public var snapshotDate: Int32
    /// The publish folder (the pipeline's, or `--publish-dir`).
    public var folder: String
    /// The state folder, where a demo key is kept.
    public var stateFolder: String

    public init(
        pipeline: String, pipelineSHA256: String, runID: Int64, sources: [String],
        exports: [DataPackage.SourceExport], snapshotDate: Int32, folder: String, stateFolder: String
    ) {
        self.stateFolder = stateFolder
        self.pipeline = pipeline
        self.pipelineSHA256 = pipelineSHA256
        self.runID = runID
        self.sources = sources
        self.exports = exports
        self.snapshotDate = snapshotDate
        self.folder = folder
    }
}

/// What publishing did, for the run summary. Holds no personal data.
public struct PublishReport: Sendable {
    public var datasets: [DatasetReport]
    /// Things to tell the person running etl (a demo key was generated, …).
    public var notes: [String]
    /// Seconds spent reading the residents from the state store.
    public var readSeconds = 0.0
    public var seconds: Double
}

/// One dataset's outcome.
public struct DatasetReport: Sendable {
    public enum Status: String, Sendable {
        /// A new version is current.
        case published
        /// The data files would be the same as the current version's: nothing was written.
        case unchanged
        /// Nothing was written; the previous version stays current.
        case failed
    }

    public var name: String
    public var recipient: String
    public var identified: Bool
    public var status: Status
    /// The version current after this run, if any.
    public var version: String?
    public var rows = 0
    public var included = 0
    public var suppressed = 0
    public var kReached: Int?
    /// Equivalence classes per size range (`1`, `2-4`, `5-9`, …), as in the report.
    public var classSizes: [String: Int] = [:]
    public var added = 0
    public var changed = 0
    public var removed = 0
    public var failure: String?
    /// The signal that stopped the run before this dataset was published, if one did.
    public var stoppedBy: String?
    public var seconds = 0.0
}

/// Publishes a pipeline's datasets from the residents in the state store, each as a new
/// snapshot version that becomes current only when it is complete and synced.
public struct Publisher {
    public var settings: PublishSettings
    public var context: PublishContext
    /// Called with the staged version's folder after it is complete and before `CURRENT`
    /// names it; a test makes it throw to stand for a crash at that point.
    public var beforeFlip: ((String) throws(PublishError) -> Void)?

    public init(settings: PublishSettings, context: PublishContext) {
        self.settings = settings
        self.context = context
    }

    /// Publishes every dataset; one that fails leaves its previous snapshot current and does
    /// not stop the others. Throws only when the residents cannot be read at all.
    public func publish(
        store: StateStore, stopRequested: () -> String? = { nil }
    ) throws(PublishError)
        -> PublishReport
    {
        let started = Timestamp.monotonicSeconds()
        var payload: [ResidentTable.PayloadReference] = []
        for dataset in settings.datasets {
            let sources = dataset.columns.map(\.source) + dataset.include.map(\.source)
            for case .payload(let field, let source) in sources
            where !payload.contains(.init(field: field, source: source)) {
                payload.append(.init(field: field, source: source))
            }
        }
        let table = try ResidentTable(
            store: store, pipeline: context.pipeline, sources: context.sources, payload: payload)
        let read = Timestamp.monotonicSeconds() - started
        var report = publish(table: table, stopRequested: stopRequested, started: started)
        report.readSeconds = read
        return report
    }

    /// Publishes every dataset from `table`.
    func publish(
        table: ResidentTable, stopRequested: () -> String? = { nil }, started: Double? = nil
    )
        -> PublishReport
    {
        let started = started ?? Timestamp.monotonicSeconds()
        var notes: [String] = []
        var key: Result<MasterKey, PublishError>?
        if let source = settings.key {
            do throws(PublishError) {
                let (loaded, note) = try Publisher.loadKey(source, stateFolder: context.stateFolder)
                key = .success(loaded)
                if let note { notes.append(note) }
            } catch {
                key = .failure(error)
            }
        }
        // Datasets are independent (each its own folder and files), so they are built and
        // written on all cores at once, from the one shared table.
        var reports = settings.datasets.map {
            DatasetReport(name: $0.name, recipient: $0.recipient, identified: $0.identified, status: .failed)
        }
        reports.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            nonisolated(unsafe) let stopRequested = stopRequested
            nonisolated(unsafe) let publisher = self
            let key = key
            DispatchQueue.concurrentPerform(iterations: settings.datasets.count) { index in
                let dataset = publisher.settings.datasets[index]
                var report = output[index]
                let datasetStarted = Timestamp.monotonicSeconds()
                if let signal = stopRequested() {
                    report.stoppedBy = signal
                    report.failure = "stopped by \(signal) before it was published; its previous snapshot stays current"
                    report.version = SnapshotCatalog(folder: publisher.context.folder, dataset: dataset.name).current
                    output[index] = report
                    return
                }
                do throws(PublishError) {
                    try publisher.publish(dataset, table: table, key: key, report: &report)
                } catch {
                    report.status = .failed
                    report.failure = error.description
                    report.version = SnapshotCatalog(folder: publisher.context.folder, dataset: dataset.name).current
                }
                report.seconds = Timestamp.monotonicSeconds() - datasetStarted
                output[index] = report
            }
        }
        return PublishReport(datasets: reports, notes: notes, seconds: Timestamp.monotonicSeconds() - started)
    }

    /// The master key from `source`, and a note when a demo key was generated.
    static func loadKey(_ source: KeySource, stateFolder: String) throws(PublishError) -> (MasterKey, String?) {
        switch source {
        case .file(let path):
            return (try MasterKey(file: path), nil)
        case .environment(let name):
            return (try MasterKey(environment: name), nil)
        case .fileFromEnvironment(let name, let demoKey):
            if let value = getenv(name), value.pointee != 0 {
                return (try MasterKey(file: String(cString: value)), nil)
            }
            guard demoKey else { throw .keyVariableUnset(variable: name) }
            try FileSystem.makeDirectories(stateFolder)
            let path = stateFolder + "/demo-master.key"
            var note: String?
            if !FileSystem.exists(path) {
                _ = try MasterKey.generate(file: path)
                note =
                    "\(name) is not set, so a demo master key was generated at \(path) (mode 0600) and will be reused; a real pipeline names its own key"
            }
            return (try MasterKey(file: path), note)
        }
    }

    private func publish(
        _ dataset: Dataset, table: ResidentTable, key: Result<MasterKey, PublishError>?, report: inout DatasetReport
    ) throws(PublishError) {
        var pseudonymisers: [Int: Pseudonymiser] = [:]
        // The manifest names the pipeline's key whenever there is one, so a recipient can tell
        // when tokens change.
        let master = try? key?.get()
        for (index, column) in dataset.columns.enumerated() where column.transform == .pseudonym {
            guard let key else { throw .noKeyConfigured(dataset: dataset.name) }
            let loaded = try key.get()
            pseudonymisers[index] = try Pseudonymiser(
                master: loaded, recipient: dataset.recipient, field: column.source.description,
                keyVersion: settings.keyVersion)
        }
        let built = try DatasetBuilder(
            dataset: dataset, table: table, snapshotDate: context.snapshotDate, pseudonymisers: pseudonymisers
        ).build()
        report.rows = built.rows.count
        report.included = built.included
        report.suppressed = built.suppressed
        report.kReached = built.kReached
        for size in built.classSizes { report.classSizes[SnapshotWriter.sizeRange(size), default: 0] += 1 }
        let writer = SnapshotWriter(
            dataset: dataset, context: context, keyID: try master?.keyID(), keyVersion: settings.keyVersion,
            retain: settings.retain, beforeFlip: beforeFlip)
        let outcome = try writer.write(built)
        report.status = outcome.unchanged ? .unchanged : .published
        report.version = outcome.version
        report.added = outcome.added
        report.changed = outcome.changed
        report.removed = outcome.removed
    }
}
