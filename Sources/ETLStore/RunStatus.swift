/// How a run, or one source within it, ended.
public enum RunStatus: String, Sendable, Codable {
    case running
    case succeeded
    /// Some sources failed; the others completed.
    case partial
    case failed
    /// The process ended before the run did (killed, or the machine stopped); found and
    /// marked by the next run.
    case interrupted
    /// For a source: its export is the one already current (same files, sizes and SHA-256,
    /// read through the same pipeline file), so nothing was imported.
    case unchanged
}

/// Counts of records for one file or source: every record read is staged or rejected (see
/// `kept(status:)` for what a failed source keeps).
public struct RecordCounts: Sendable, Equatable {
    public var read = 0
    public var staged = 0
    public var rejected = 0

    public init(read: Int = 0, staged: Int = 0, rejected: Int = 0) {
        self.read = read
        self.staged = staged
        self.rejected = rejected
    }

    /// The counts as kept by a source that ended with `status`. A failed source (its export
    /// refused by a guard, or unreadable) drops the records it staged and keeps its earlier
    /// ones, so it kept none: its staged count is 0. What it read and rejected stays counted
    /// (its rejects are kept in the state store, to be looked at).
    public func kept(status: RunStatus) -> RecordCounts {
        status == .failed ? RecordCounts(read: read, staged: 0, rejected: rejected) : self
    }

    public static func += (lhs: inout RecordCounts, rhs: RecordCounts) {
        lhs.read += rhs.read
        lhs.staged += rhs.staged
        lhs.rejected += rhs.rejected
    }
}

/// A past run as `etl status` shows it.
public struct RunSummary: Sendable, Equatable {
    public var id: Int64
    public var pipeline: String
    public var status: RunStatus
    public var startedAt: String
    /// When the run ended; `nil` while it runs, and for a run whose process was killed (its
    /// end time is not known).
    public var finishedAt: String?
    public var message: String?
    public var sources: [SourceRunSummary]
    /// What the run's resolution did to residents: created, merged, split and retired.
    public var residentEvents: [ResidentEventKind: Int] = [:]
    /// What the run published.
    public var datasets: [DatasetRunSummary] = []
}

/// One source's part in a run.
public struct SourceRunSummary: Sendable, Equatable {
    public var name: String
    public var status: RunStatus
    public var files: Int
    public var counts: RecordCounts
    /// Records of the earlier export that this one no longer has.
    public var deleted = 0
    /// Earlier records kept because their rows in this export were rejected.
    public var keptForRejects = 0
    /// Records this export no longer has, kept because a rejected record's key was unreadable.
    public var deletionsHeldBack = 0
    public var message: String?

    /// `counts` as kept: none staged when the source failed.
    public var kept: RecordCounts { counts.kept(status: status) }
}

/// What a run published of one dataset.
public struct DatasetRunSummary: Sendable, Equatable {
    public var name: String
    /// `published`, `unchanged` or `failed`.
    public var status: String
    /// The version current after the run.
    public var version: String?
    public var rows: Int
    public var suppressed: Int
    public var message: String?

    public init(name: String, status: String, version: String?, rows: Int, suppressed: Int, message: String?) {
        self.name = name
        self.status = status
        self.version = version
        self.rows = rows
        self.suppressed = suppressed
        self.message = message
    }
}

/// A source file as imported: its identity for later runs.
public struct SourceFileInfo: Sendable, Equatable {
    public var path: String
    public var size: Int
    public var sha256: String
    public var encoding: String
    /// The names of the payload fields, in the order each row's payload array holds them.
    public var payloadFields: [String]

    public init(path: String, size: Int, sha256: String, encoding: String, payloadFields: [String]) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.encoding = encoding
        self.payloadFields = payloadFields
    }
}
