/// Byte-level UTF-8 checks: strict validation with an ASCII fast path.
public enum UTF8Validation {
    /// The length of the longest valid prefix of `bytes`; a sequence cut off by the end of
    /// `bytes` is not part of it.
    public static func validPrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        let n = bytes.count
        guard let base = bytes.baseAddress else { return 0 }
        while i < n {
            // ASCII fast path, eight bytes at a time.
            while i + 8 <= n {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < n else { break }
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            let length = sequenceLength(lead: lead)
            guard length > 1, i + length <= n else { return i }
            let (lower, upper) = secondByteRange(lead: lead)
            let second = bytes[i + 1]
            guard second >= lower, second <= upper else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 {
                return i
            }
            i += length
        }
        return i
    }

    /// The length of the sequence a lead byte starts (1 for ASCII or an invalid lead).
    public static func sequenceLength(lead: UInt8) -> Int {
        switch lead {
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 1
        }
    }

    /// Whether `bytes` is the valid start of a sequence that needs more bytes.
    public static func isIncompleteSequence(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let lead = bytes.first, sequenceLength(lead: lead) > 1,
            bytes.count < sequenceLength(lead: lead)
        else { return false }
        if bytes.count > 1 {
            let (lower, upper) = secondByteRange(lead: lead)
            guard bytes[1] >= lower, bytes[1] <= upper else { return false }
        }
        return bytes.dropFirst(2).allSatisfy { $0 & 0xC0 == 0x80 }
    }

    /// The range the byte after `lead` must fall in (excludes overlongs and surrogates).
    public static func secondByteRange(lead: UInt8) -> (UInt8, UInt8) {
        switch lead {
        case 0xE0: (0xA0, 0xBF)
        case 0xED: (0x80, 0x9F)
        case 0xF0: (0x90, 0xBF)
        case 0xF4: (0x80, 0x8F)
        default: (0x80, 0xBF)
        }
    }

    /// The length of the ASCII prefix of `bytes`, eight bytes at a time.
    public static func asciiPrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var i = 0
        while i + 8 <= bytes.count {
            if UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < bytes.count, bytes[i] < 0x80 { i += 1 }
        return i
    }

    /// The index of the first byte that is not valid UTF-8, or `nil` when all are.
    public static func firstInvalid(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let prefix = validPrefix(bytes)
        return prefix == bytes.count ? nil : prefix
    }
}
