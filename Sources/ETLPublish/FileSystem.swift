import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

/// A new file written once through a buffer, hashed as it is written, and synced to disk
/// when closed. Owns its descriptor.
final class OutputFile {
    let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let hasher = SHA256()
    private(set) var bytes = 0
    private var closed = false

    /// Creates `path`, which must not exist, with `mode`.
    init(path: String, mode: mode_t) throws(PublishError) {
        self.path = path
        descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: FileSystem.lastError()) }
        // The mode must not depend on the umask.
        fchmod(descriptor, mode)
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if !closed { Glibc.close(descriptor) }
    }

    func write(_ bytes: [UInt8]) throws(PublishError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func write(_ text: String) throws(PublishError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws(PublishError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws(PublishError) {
        let failed = buffer.withUnsafeBytes { raw -> Bool in
            hasher.update(raw)
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                offset += written
            }
            return false
        }
        if failed { throw .cannotWrite(path: path, reason: FileSystem.lastError()) }
        bytes += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, syncs and closes; returns the size and SHA-256 (hex).
    func close() throws(PublishError) -> (bytes: Int, sha256: String) {
        try flush()
        closed = true
        let synced = fsync(descriptor) == 0
        let reason = FileSystem.lastError()
        Glibc.close(descriptor)
        guard synced else { throw .cannotWrite(path: path, reason: reason) }
        return (bytes, hasher.finalizeHex())
    }
}

/// The few file-system steps snapshots need, with errors that name the path.
enum FileSystem {
    static func lastError() -> String { String(cString: strerror(errno)) }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Creates `path` and any missing parents.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(PublishError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if isDirectory(current) { continue }
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw .cannotWrite(path: current, reason: lastError())
            }
        }
    }

    /// Syncs a folder, so that the names created or renamed in it last.
    static func syncDirectory(_ path: String) throws(PublishError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: lastError()) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .cannotWrite(path: path, reason: lastError()) }
    }

    static func rename(_ from: String, _ to: String) throws(PublishError) {
        guard Glibc.rename(from, to) == 0 else { throw .cannotWrite(path: to, reason: lastError()) }
    }

    /// The names in a folder (without `.` and `..`), sorted; empty when it cannot be read.
    static func list(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes a file or a folder with everything in it.
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in list(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// A whole small file's bytes, or `nil`.
    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count { break }
        }
        return ferror(file) == 0 ? bytes : nil
    }

    /// A file's size and SHA-256 (hex), read in chunks; `nil` when it cannot be read.
    static func hash(_ path: String) -> (bytes: Int, sha256: String)? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        let hasher = SHA256()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 {
                chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                total += count
            }
            if count < chunk.count { break }
        }
        return ferror(file) == 0 ? (total, hasher.finalizeHex()) : nil
    }

    /// Writes a small file whole through a temporary name and a rename, then syncs the folder:
    /// readers see the old content or the new, never a part.
    static func replace(_ path: String, with text: String, mode: mode_t = 0o644) throws(PublishError) {
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        let file = try OutputFile(path: temporary, mode: mode)
        do {
            try file.write(text)
            _ = try file.close()
            try rename(temporary, path)
        } catch {
            unlink(temporary)
            throw error
        }
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        try syncDirectory(folder.isEmpty ? "." : folder)
    }

    /// Seconds since the epoch, now.
    static func now() -> Int { time(nil) }
}
