/// The process exit codes, documented in `etl --help` and the README.
public enum ExitCode: Int32, Sendable {
    case success = 0
    /// The run failed: nothing was imported, or etl itself could not work.
    case failure = 1
    /// Some sources failed; the others were imported.
    case partial = 2
    /// Another run holds the state folder's lock; nothing was done.
    case locked = 3
    /// The pipeline file is invalid.
    case invalidPipeline = 4
    /// The command line was wrong.
    case usage = 64
}
