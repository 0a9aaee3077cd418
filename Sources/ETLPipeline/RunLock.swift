import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

/// The lock that lets one run at a time use a state folder: an exclusive `flock` on
/// `<state>/run.lock`, which holds the owner's pid, host and start time. The kernel releases
/// the lock when its process ends, however it ends, so a lock left by a killed run is simply
/// taken over; its file still names the dead owner, and the new run says so.
public final class RunLock {
    /// The lock file's name in the state folder.
    public static let fileName = "run.lock"
    private let descriptor: Int32
    /// The owner that did not release the lock cleanly (a killed run), when there was one.
    public let takenOverFrom: String?

    /// Takes the lock of `stateFolder` (which must exist), or throws `.locked` naming the run
    /// that holds it.
    public init(stateFolder: String) throws(PipelineError) {
        let path = stateFolder + "/" + RunLock.fileName
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .store(.cannotOpen(path: path, reason: String(cString: strerror(errno))))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = RunLock.read(descriptor)
            close(descriptor)
            throw .locked(stateFolder: stateFolder, holder: holder.isEmpty ? "another etl run" : holder)
        }
        let previous = RunLock.read(descriptor)
        takenOverFrom = previous.isEmpty ? nil : previous
        var name = [UInt8](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        let host = String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
        let owner = Array("pid \(getpid()) on \(host), started \(Timestamp.now())\n".utf8)
        ftruncate(descriptor, 0)
        _ = owner.withUnsafeBufferPointer { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    /// Whether a live process holds the lock of `stateFolder` (probed without taking it over
    /// and without writing to the lock file).
    public static func isHeld(stateFolder: String) -> Bool {
        let descriptor = open(stateFolder + "/" + fileName, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return true }
        flock(descriptor, LOCK_UN)
        return false
    }

    /// Releases the lock; the emptied file tells the next run that this one ended cleanly.
    deinit {
        ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    private static func read(_ descriptor: Int32) -> String {
        var bytes = [UInt8](repeating: 0, count: 512)
        let count = pread(descriptor, &bytes, bytes.count, 0)
        guard count > 0 else { return "" }
        var text = String(decoding: bytes[0..<count], as: UTF8.self)
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}
