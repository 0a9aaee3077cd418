#if canImport(Glibc)
    import Glibc
#endif

/// A growable window over a file, read in chunks: the readers' only way to the bytes.
///
/// Parsers hold indices into `bytes`. `refill(keepingFrom:)` moves the bytes from that index
/// on to the front (so indices shift down by it) and reads more; the window grows only when
/// one record needs more than its capacity, and never past `maxCapacity`.
final class InputBuffer {
    private let descriptor: Int32
    let path: String
    private(set) var storage: UnsafeMutableBufferPointer<UInt8>
    /// The valid bytes.
    private(set) var count = 0
    /// The file offset of `storage[0]`.
    private(set) var baseOffset = 0
    /// True once the file has no more bytes.
    private(set) var atEnd = false
    let maxCapacity: Int

    init(path: String, displayName: String, chunkSize: Int = 1 << 20, maxCapacity: Int) throws(ImportError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .cannotRead(file: displayName, reason: String(cString: strerror(errno)))
        }
        self.path = displayName
        self.maxCapacity = max(maxCapacity, chunkSize)
        storage = .allocate(capacity: chunkSize)
    }

    deinit {
        storage.deallocate()
        close(descriptor)
    }

    /// The valid bytes as a buffer pointer (valid until the next refill).
    var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: storage[0..<count])
    }

    /// Drops the bytes before `keep`, reads more, and returns whether any byte was added.
    /// Returns `false` at the end of the file, or when the window is at `maxCapacity` and full.
    func refill(keepingFrom keep: Int) throws(ImportError) -> Bool {
        precondition(keep >= 0 && keep <= count, "refill must keep bytes inside the window")
        if keep > 0 {
            let remaining = count - keep
            if remaining > 0 {
                UnsafeMutableRawPointer(storage.baseAddress!).copyMemory(
                    from: storage.baseAddress! + keep, byteCount: remaining)
            }
            count = remaining
            baseOffset += keep
        }
        if atEnd { return false }
        if count == storage.count {
            guard storage.count < maxCapacity else { return false }
            let grown = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: min(storage.count * 2, maxCapacity))
            UnsafeMutableRawPointer(grown.baseAddress!).copyMemory(from: storage.baseAddress!, byteCount: count)
            storage.deallocate()
            storage = grown
        }
        while true {
            let got = read(descriptor, storage.baseAddress! + count, storage.count - count)
            if got > 0 {
                count += got
                return true
            }
            if got == 0 {
                atEnd = true
                return false
            }
            if errno == EINTR { continue }
            throw .cannotRead(file: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Whether the window is full at its largest size, so a record that needs more is too large.
    var isExhausted: Bool { count == maxCapacity && !atEnd }
}
