import ETLPublish

/// What a run has just done, told as it happens, so that logs are written as the run goes
/// rather than when it ends. Holds no personal data.
public enum RunEvent {
    /// The run has begun under its number; `lockTakenOverFrom` names the holder of a lock
    /// whose process had died.
    case started(run: Int64, lockTakenOverFrom: String?)
    /// One source has been imported, or has failed.
    case imported(SourceReport)
    /// Residents were resolved again.
    case resolved(ResolveReport)
    /// No source changed since the run that resolved the current residents.
    case resolutionUnchanged(since: Int64)
    /// Resolution stopped or failed; the last run's residents are kept.
    case resolutionFailed(String)
    /// The datasets were published (each may have failed on its own).
    case published(PublishReport)
    /// Publishing failed as a whole; every dataset's previous snapshot stays current.
    case publishFailed(String)
}
