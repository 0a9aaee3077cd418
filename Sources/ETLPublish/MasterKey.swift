import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

/// The master key that every pseudonym is derived from. It comes from a key file or an
/// environment variable that the pipeline names, never from the pipeline itself, and it never
/// appears in a description, a log or an error.
public final class MasterKey: Sendable, CustomStringConvertible {
    private let bytes: [UInt8]
    /// Where the key came from, for messages: the file's path or the variable's name.
    public let place: String

    /// The least key material accepted, in bytes.
    public static let minimumBytes = 32

    init(bytes: [UInt8], place: String) throws(PublishError) {
        guard !bytes.isEmpty else { throw .keyMissing(place: place) }
        guard bytes.count >= MasterKey.minimumBytes else { throw .keyTooShort(place: place, bytes: bytes.count) }
        self.bytes = bytes
        self.place = place
    }

    /// Reads the key from `path`. The file must be readable by its owner only (mode 0600 or
    /// 0400): a key that others can read is refused. Its content is the key in hex, as
    /// `etl keygen` writes it, or raw bytes.
    public convenience init(file path: String) throws(PublishError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .keyMissing(place: path) }
            throw .cannotReadKey(path: path, reason: String(cString: strerror(errno)))
        }
        let mode = Int(info.st_mode) & 0o777
        guard mode & 0o077 == 0 else { throw .keyFileTooOpen(path: path, mode: mode) }
        guard let file = fopen(path, "r") else {
            throw .cannotReadKey(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var content = [UInt8](repeating: 0, count: 4096)
        let count = fread(&content, 1, content.count, file)
        try self.init(bytes: MasterKey.decode(Array(content[0..<count])), place: path)
    }

    /// Reads the key from the environment variable `name` (hex, or raw text).
    public convenience init(environment name: String) throws(PublishError) {
        guard let value = getenv(name) else { throw .keyMissing(place: "$" + name) }
        try self.init(bytes: MasterKey.decode(Array(String(cString: value).utf8)), place: "$" + name)
    }

    /// Hex (with surrounding white space) decoded; anything else taken as raw bytes.
    static func decode(_ content: [UInt8]) -> [UInt8] {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        let trimmed = content.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        return Hex.decode(Array(trimmed)) ?? content
    }

    /// The key's ID, for manifests: the first 16 hex digits of an HMAC of a fixed label under
    /// the key. It tells keys apart without revealing them (it is not a hash of the key).
    public func keyID() throws(PublishError) -> String {
        String(Hex.encode(try Crypto.hmacSHA256(key: bytes, message: Array("etl key id v1".utf8))).prefix(16))
    }

    /// A key derived for one use with HKDF-SHA-256, the use named by `label`.
    func derive(label: [UInt8]) throws(PublishError) -> [UInt8] {
        try Crypto.hkdfSHA256(key: bytes, salt: Array("etl pseudonym salt v1".utf8), info: label, length: 32)
    }

    public var description: String { "MasterKey(\(place), redacted)" }

    /// Writes a new random 32-byte key, in hex, to `path` with mode 0600. An existing file is
    /// never overwritten. The key is written and synced under a temporary name first, then
    /// linked into place, so a process killed midway never leaves a partial key at `path`.
    /// Returns the new key's ID.
    public static func generate(file path: String) throws(PublishError) -> String {
        if access(path, F_OK) == 0 { throw .keyFileExists(path: path) }
        let bytes = try Crypto.randomBytes(minimumBytes)
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .cannotWriteKey(path: path, reason: String(cString: strerror(errno)))
        }
        defer { unlink(temporary) }
        fchmod(descriptor, 0o600)
        let text = Array((Hex.encode(bytes) + "\n").utf8)
        let written = text.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == text.count, synced else {
            throw .cannotWriteKey(path: path, reason: "the key could not be written whole")
        }
        // link(2) never replaces an existing file: a key that appeared meanwhile is kept.
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { throw .keyFileExists(path: path) }
            throw .cannotWriteKey(path: path, reason: String(cString: strerror(errno)))
        }
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let directory = open(
            folder.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
        return try MasterKey(bytes: bytes, place: path).keyID()
    }
}
