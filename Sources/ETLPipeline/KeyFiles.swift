import ETLPublish

/// The master key files that pseudonyms are derived from.
public enum KeyFiles {
    /// Writes a new random key to `path` (mode 0600; an existing file is never overwritten) and
    /// returns its key ID. The key itself is never returned or printed.
    public static func generate(_ path: String) throws -> String {
        try MasterKey.generate(file: path)
    }
}
