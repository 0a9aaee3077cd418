import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

/// What one pass over a file learns before it is imported: size, SHA-256, byte-order mark
/// and whether the bytes are valid UTF-8.
public struct FileFingerprint: Sendable, Equatable {
    public var size: Int
    public var sha256: String
    public var byteOrderMark: ByteOrderMark
    /// Whether every byte after the mark is valid UTF-8.
    public var isValidUTF8: Bool
    /// Whether the bytes are UTF-8 with a few invalid bytes (at most one per hundred
    /// multi-byte characters): a corrupt UTF-8 export, not another encoding.
    public var isMostlyUTF8: Bool

    /// Reads `path` once, in chunks, and fingerprints it. The UTF-8 check runs only when
    /// `checkUTF8` is set (it matters only for a CSV source whose encoding is `auto`);
    /// otherwise `isValidUTF8` is `true`.
    public static func compute(
        path: String, displayName: String, checkUTF8: Bool = true
    ) throws(ImportError)
        -> FileFingerprint
    {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .cannotRead(file: displayName, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let chunk = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 20)
        defer { chunk.deallocate() }
        let hasher = SHA256()
        var validator = UTF8Validator()
        var size = 0
        var mark = ByteOrderMark.none
        while true {
            let got = read(descriptor, chunk.baseAddress!, chunk.count)
            if got < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(file: displayName, reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            let bytes = UnsafeBufferPointer(rebasing: chunk[0..<got])
            hasher.update(UnsafeRawBufferPointer(bytes))
            var body = bytes
            if size == 0 {
                mark = ByteOrderMark.detect(bytes)
                body = UnsafeBufferPointer(rebasing: bytes[mark.length...])
            }
            if checkUTF8, !validator.isDecided { validator.feed(body) }
            size += got
        }
        validator.finish()
        return FileFingerprint(
            size: size, sha256: hasher.finalizeHex(), byteOrderMark: mark, isValidUTF8: validator.isValid,
            isMostlyUTF8: validator.isMostlyValid)
    }
}

/// A byte-order mark at the start of a file.
public enum ByteOrderMark: Sendable, Equatable {
    case none
    case utf8
    case utf16LittleEndian
    case utf16BigEndian
    /// U+FEFF in GB18030 (84 31 95 33), which some converters write at the start of a file.
    case gb18030

    /// The mark at the start of `bytes`.
    static func detect(_ bytes: UnsafeBufferPointer<UInt8>) -> ByteOrderMark {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { return .utf8 }
        if bytes.count >= 4, bytes[0] == 0x84, bytes[1] == 0x31, bytes[2] == 0x95, bytes[3] == 0x33 {
            return .gb18030
        }
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE { return .utf16LittleEndian }
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF { return .utf16BigEndian }
        return .none
    }

    /// How many bytes the mark takes.
    var length: Int {
        switch self {
        case .none: 0
        case .utf8: 3
        case .utf16LittleEndian, .utf16BigEndian: 2
        case .gb18030: 4
        }
    }
}
