#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM, turned into a request that a run checks between batches: the run then
/// stops cleanly instead of dying mid-write. The handler only sets a flag.
public enum StopRequest {
    /// The signal received, or 0. Written by the signal handler, read by the run.
    nonisolated(unsafe) private static var received: sig_atomic_t = 0

    /// Installs the handlers for SIGINT and SIGTERM. A second signal stops the process at once.
    public static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                if StopRequest.received != 0 {
                    // Asked twice: stop now, as the default action would.
                    signal(number, SIG_DFL)
                    raise(number)
                }
                StopRequest.received = number
            }
            sigemptyset(&action.sa_mask)
            sigaction(signalNumber, &action, nil)
        }
    }

    /// The signal that asked the run to stop, or `nil`.
    public static var signalName: String? {
        switch received {
        case 0: nil
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(received)"
        }
    }
}

/// A run stopped on request (SIGINT or SIGTERM).
struct RunStopped: Error {
    var signal: String
}
