import ETLPublish
import ETLStore

#if canImport(Glibc)
    import Glibc
#endif

/// What a run did, for the summary the CLI prints. Holds no personal data.
public struct RunReport: Sendable {
    public var runID: Int64
    public var pipeline: String
    public var status: RunStatus
    public var inbox: String
    public var stateFolder: String
    public var sources: [SourceReport]
    /// The first rejects of each source, in file order (all are in the state store).
    public var rejects: [RejectSummary]
    /// Sources that earlier runs imported but the pipeline no longer has: their records are
    /// no longer current.
    public var retiredSources: [String] = []
    /// Earlier runs that were still shown as running (their process had ended), now marked
    /// interrupted.
    public var interruptedRuns: [Int64] = []
    /// The owner named in a lock file that was not released cleanly, when there was one.
    public var lockTakenOverFrom: String?
    /// What resolution did, or `nil` when it failed (see `failure`) or was not needed.
    public var resolution: ResolveReport?
    /// When no records changed since the run that last resolved (and the pipeline file is the
    /// same), that run: resolution was skipped, the residents are as it left them.
    public var resolutionUnchangedSince: Int64?
    /// What publishing did, when the pipeline publishes and residents were there to publish.
    public var publication: PublishReport?
    /// Why resolution failed, when it did.
    public var failure: String?
    public var seconds: Double
    /// The run's HTML page in the state folder, when it could be written.
    public var htmlReport: String?
    /// Seconds per stage (import, resolve, publish) and the process's peak memory when each
    /// ended.
    public var stages: [Stage] = []

    /// One stage of a run.
    public struct Stage: Sendable {
        public var name: String
        public var seconds: Double
        /// The process's peak resident memory so far, in KiB, when the stage ended.
        public var peakKiB: Int

        init(name: String, seconds: Double) {
            self.name = name
            self.seconds = seconds
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            peakKiB = Int(usage.ru_maxrss)
        }
    }

    /// Counts over all sources, as kept: the records a failed source staged are not among the
    /// staged, since it kept none of them.
    public var totals: RecordCounts {
        sources.reduce(into: RecordCounts()) { $0 += $1.kept }
    }
}

/// One source's part of a run.
public struct SourceReport: Sendable {
    public var name: String
    public var status: RunStatus
    public var files: [FileReport]
    /// Files the globs matched but that are older than the export imported, left alone.
    public var olderFiles: [String] = []
    public var counts: RecordCounts
    /// Records of the earlier export that the new one no longer has (deleted from the source).
    public var deleted = 0
    /// Earlier records kept as they were because their row in the new export was rejected.
    public var keptForRejects = 0
    /// Records the new export no longer has, kept rather than deleted because
    /// `rejectsWithoutKey` of its rejected rows have no record key that could be read.
    public var deletionsHeldBack = 0
    public var rejectsWithoutKey = 0
    /// Why the source failed, when it did: what went wrong and what to do.
    public var failure: String?

    /// `counts` as kept: none staged when the source failed (its earlier records stay).
    public var kept: RecordCounts { counts.kept(status: status) }
}

/// One imported file.
public struct FileReport: Sendable {
    public var name: String
    public var encoding: String
    public var bytes: Int
    public var counts: RecordCounts
}

/// Progress of a long import, for a progress line on a terminal.
public struct ProgressUpdate: Sendable {
    public var source: String
    public var file: String
    public var bytesRead: Int
    public var totalBytes: Int
    public var records: Int
    public var seconds: Double
}
