/// A 64-bit hash of the values resolution reads from a staged record: its six canonical
/// fields as read, its sex code and its ISO birth date, in that order. A record re-exported
/// with the same values has the same hash, so a night can tell the records that changed from
/// those sent again as they were.
///
/// FNV-1a over each value's UTF-8 bytes, each followed by a separator byte, with another byte
/// standing for a missing value. It detects changes; it is not a secret or a signature. Two
/// different values hash alike about once in 2^64 changed records.
public struct RecordContent: Sendable {
    private var hash: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    /// Adds the next value, or its absence.
    public mutating func add(_ bytes: UnsafeBufferPointer<UInt8>?) {
        guard let bytes else {
            mix(0x1E)
            return
        }
        for byte in bytes { mix(byte) }
        mix(0x1F)
    }

    /// Adds the next value, or its absence.
    public mutating func add(_ text: String?) {
        guard var text else {
            add(nil as UnsafeBufferPointer<UInt8>?)
            return
        }
        text.withUTF8 { add($0) }
    }

    @inline(__always)
    private mutating func mix(_ byte: UInt8) {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    /// The hash, as SQLite stores integers.
    public var value: Int64 { Int64(bitPattern: hash) }

    /// The hash of a record's values.
    public static func of(_ fields: CanonicalValues, sexCode: String?, birthDateISO: String?) -> Int64 {
        var content = RecordContent()
        for field in CanonicalField.allCases { content.add(fields[field]) }
        content.add(sexCode)
        content.add(birthDateISO)
        return content.value
    }
}
