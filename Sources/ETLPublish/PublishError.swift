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
    /// The environment variable that should name the key file is not set.
    case keyVariableUnset(variable: String)
    /// A dataset's pseudonyms need a key but the pipeline names none.
    case noKeyConfigured(dataset: String)
    /// Reading residents from the state store failed.
    case store(String)
    /// More sources than a resident's department set can hold.
    case tooManySources(count: Int)
    /// No generalisation the dataset allows reaches k (and ℓ) within the suppression limit.
    case privacyNotReached(
        dataset: String, k: Int, l: Int?, suppressionLimit: Double, bestSuppressed: Int, included: Int)
    /// A direct identifier of an included resident appears in a dataset that is not identified.
    case leak(dataset: String, column: String, kind: String, resident: String)
    /// A snapshot file or folder could not be written.
    case cannotWrite(path: String, reason: String)
    /// A published snapshot could not be read or does not verify.
    case badSnapshot(path: String, reason: String)

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
        case .keyVariableUnset(let variable):
            "the environment variable \(variable) is not set; set it to the path of the master key file (create one with 'etl keygen <file>')"
        case .noKeyConfigured(let dataset):
            "dataset '\(dataset)' has pseudonym columns but the pipeline names no key; add publish.key to the pipeline"
        case .store(let reason):
            "cannot read the residents to publish: \(reason)"
        case .tooManySources(let count):
            "the pipeline has \(count) sources; publishing handles at most 64"
        case .privacyNotReached(let dataset, let k, let l, let limit, let best, let included):
            "dataset '\(dataset)': no generalisation it allows reaches k = \(k)\(l.map { " and l = \($0)" } ?? "") with at most \(Int((limit * 100).rounded()))% of its \(included) residents suppressed (the best leaves out \(best)); allow coarser levels ('upTo'), fewer quasi-identifiers, or a smaller k. Its previous snapshot stays current"
        case .leak(let dataset, let column, let kind, let resident):
            "dataset '\(dataset)' is not identified, but its column '\(column)' holds the \(kind) of resident \(resident); publish that column with a transform (pseudonym, mask, generalise, suppress) or drop it. The dataset was not published and its previous snapshot stays current"
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason); the previous snapshot stays current"
        case .badSnapshot(let path, let reason):
            "the snapshot at \(path) is not readable: \(reason)"
        }
    }
}
