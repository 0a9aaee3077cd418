/// Why publishing, or handling its key, failed: what to fix and where. Never holds key
/// material or personal data.
public enum PublishError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No key at the place the pipeline names.
    case keyMissing(place: String)
    /// The key is shorter than the 32 bytes a key must have.
    case keyTooShort(place: String, bytes: Int)
    /// The key file can be read by its group or by others.
    case keyFileTooOpen(path: String, mode: Int)
    /// The key file could not be read.
    case cannotReadKey(path: String, reason: String)
    /// `etl keygen` would overwrite a file.
    case keyFileExists(path: String)
    /// `etl keygen` could not write the file.
    case cannotWriteKey(path: String, reason: String)
    /// OpenSSL failed at a step (its name given).
    case crypto(step: String)

    public var description: String {
        switch self {
        case .keyMissing(let place):
            "no key at \(place); create one with 'etl keygen <file>' and name the file (or the environment variable) in the pipeline"
        case .keyTooShort(let place, let bytes):
            "the key at \(place) has \(bytes) bytes; a key needs at least 32. Create a new one with 'etl keygen <file>'"
        case .keyFileTooOpen(let path, let mode):
            "the key file \(path) can be read by others (mode \(String(mode, radix: 8))); run 'chmod 600 \(path)'"
        case .cannotReadKey(let path, let reason):
            "cannot read the key file \(path): \(reason)"
        case .keyFileExists(let path):
            "\(path) already exists; etl keygen never overwrites a key. Choose another file name"
        case .cannotWriteKey(let path, let reason):
            "cannot write the key file \(path): \(reason)"
        case .crypto(let step):
            "OpenSSL failed at \(step)"
        }
    }
}
