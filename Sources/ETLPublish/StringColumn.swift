/// Strings stored end to end in one byte buffer: a column of a million values costs two
/// allocations, not a million. A value may be missing (`nil`), which differs from empty.
struct StringColumn: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Per value, where it ends in `bytes`; a missing value ends where the previous one did
    /// and is marked in `present`.
    private(set) var ends: [UInt32] = []
    private(set) var present: [Bool] = []

    var count: Int { ends.count }

    /// Appends a value of `value`'s bytes.
    mutating func append<Bytes: Collection<UInt8>>(contentsOf value: Bytes) {
        bytes.append(contentsOf: value)
        present.append(true)
        ends.append(UInt32(bytes.count))
    }

    /// Appends a missing value.
    mutating func appendMissing() {
        present.append(false)
        ends.append(UInt32(bytes.count))
    }

    mutating func append(bytes value: UnsafeBufferPointer<UInt8>?) {
        if let value { append(contentsOf: value) } else { appendMissing() }
    }

    mutating func append(_ value: String?) {
        if let value { append(contentsOf: value.utf8) } else { appendMissing() }
    }

    /// Where the value at `index` lies in `bytes` (empty when missing).
    func range(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])
    }

    /// The value at `index`, or `nil` when missing.
    subscript(index: Int) -> String? {
        present[index] ? String(decoding: bytes[range(index)], as: UTF8.self) : nil
    }

    /// Calls `body` with the value's bytes (empty when missing).
    func withBytes<T>(_ index: Int, _ body: (ArraySlice<UInt8>) -> T) -> T {
        body(bytes[range(index)])
    }
}
