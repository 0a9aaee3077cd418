import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

/// The encoding of a source's files, as a pipeline declares it.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case gb18030 = "gb18030"
    /// A byte-order mark decides; without one, UTF-8 when the bytes are UTF-8 (with at most
    /// one invalid byte per hundred multi-byte characters, whose rows are then rejected),
    /// else GB18030.
    case auto = "auto"

    /// The encoding to read a file with, given its fingerprint. XML and JSON are read as
    /// UTF-8 (the encoding RFC 8259 requires of JSON); only CSV may be GB18030.
    public func resolved(
        for fingerprint: FileFingerprint, format: SourceFormat, file: String
    ) throws(ImportError) -> ResolvedEncoding {
        switch fingerprint.byteOrderMark {
        case .utf16LittleEndian, .utf16BigEndian:
            throw .unsupportedEncoding(file: file, detail: "the file starts with a UTF-16 byte-order mark")
        case .utf8:
            return .utf8
        case .gb18030:
            guard format == .csv else {
                throw .unsupportedEncoding(
                    file: file,
                    detail:
                        "the file starts with a GB18030 byte-order mark, but \(format.rawValue.uppercased()) must be UTF-8"
                )
            }
            return .gb18030
        case .none:
            switch self {
            case .utf8: return .utf8
            case .gb18030: return .gb18030
            case .auto: return fingerprint.isValidUTF8 || fingerprint.isMostlyUTF8 || format != .csv ? .utf8 : .gb18030
            }
        }
    }
}

/// The encoding a file is actually read with.
public enum ResolvedEncoding: String, Sendable {
    case utf8 = "UTF-8"
    case gb18030 = "GB18030"
}

/// Checks UTF-8 strictly (no overlongs, no surrogates, nothing above U+10FFFF), fed in
/// chunks: a sequence cut by a chunk boundary is held back and completed by the next chunk.
/// It counts valid multi-byte sequences and invalid bytes, so that a UTF-8 file with a stray
/// bad byte can be told from a file in another encoding.
struct UTF8Validator {
    /// Valid sequences of two or more bytes seen.
    private(set) var multibyteSequences = 0
    /// Bytes that start no valid sequence.
    private(set) var invalidBytes = 0
    private var pending: [UInt8] = []

    /// Whether every byte was valid.
    var isValid: Bool { invalidBytes == 0 }

    /// Whether the text is UTF-8 with at most one invalid byte per hundred multi-byte
    /// characters: a UTF-8 export with a few corrupt bytes, not text in another encoding.
    var isMostlyValid: Bool { multibyteSequences > 0 && invalidBytes * 100 <= multibyteSequences }

    /// Whether more input can still change the verdict: text in another encoding shows
    /// itself within the first few hundred characters, so the check can stop there.
    var isDecided: Bool { invalidBytes >= 256 && invalidBytes * 100 > multibyteSequences }

    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return }
        var input = bytes
        if !pending.isEmpty {
            let length = UTF8Validation.sequenceLength(lead: pending[0])
            let needed = length - pending.count
            if input.count < needed {
                pending += input
                return
            }
            let sequence = pending + input[0..<needed]
            pending = []
            if sequence.withUnsafeBufferPointer({ UTF8Validation.validPrefix($0) }) == length {
                multibyteSequences += 1
                input = UnsafeBufferPointer(rebasing: input[needed...])
            } else {
                invalidBytes += 1
            }
        }
        while !input.isEmpty {
            let valid = UTF8Validation.validPrefix(input)
            for byte in input[0..<valid] where byte & 0xC0 == 0xC0 {
                multibyteSequences += 1
            }
            guard valid < input.count else { return }
            let rest = UnsafeBufferPointer(rebasing: input[valid...])
            if UTF8Validation.isIncompleteSequence(rest) {
                pending = Array(rest)
                return
            }
            invalidBytes += 1
            input = UnsafeBufferPointer(rebasing: rest[1...])
        }
    }

    mutating func finish() {
        if !pending.isEmpty { invalidBytes += 1 }
        pending = []
    }
}

/// Decodes GB18030 (2005/2022, with four-byte sequences) to UTF-8 through glibc's iconv.
/// Owns its `iconv_t`; not `Sendable`.
final class GB18030Decoder {
    private let converter: iconv_t

    init() {
        converter = iconv_open("UTF-8", "GB18030")
        // glibc always ships GB18030; its absence means a broken installation.
        precondition(converter != iconv_t(bitPattern: -1), "glibc iconv has no GB18030 converter")
    }

    deinit {
        iconv_close(converter)
    }

    /// The index of the first byte that does not start a valid GB18030 sequence, or `nil`.
    /// A structural check (lead and trail byte ranges), cheap enough for every field.
    static func firstInvalid(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            guard lead >= 0x81, lead <= 0xFE, i + 1 < n else { return i }
            let second = bytes[i + 1]
            if (0x40...0x7E).contains(second) || (0x80...0xFE).contains(second) {
                i += 2
            } else if (0x30...0x39).contains(second) {
                guard i + 3 < n, (0x81...0xFE).contains(bytes[i + 2]), (0x30...0x39).contains(bytes[i + 3]) else {
                    return i
                }
                i += 4
            } else {
                return i
            }
        }
        return nil
    }

    /// Decodes `bytes` into `arena` as the value of `slot`. Returns `false` when they are not
    /// valid GB18030 (a byte that starts no sequence, a cut-off sequence, or a code iconv does
    /// not map), in which case the caller rejects the record.
    ///
    /// ASCII and two-byte codes, nearly all of any register, go through `twoByteTable`;
    /// four-byte codes (rare characters, such as those of some names) go through iconv.
    func decode(_ bytes: UnsafeBufferPointer<UInt8>, into arena: FieldArena, slot: Int) -> Bool {
        arena.begin()
        let n = bytes.count
        guard let base = bytes.baseAddress, n > 0 else {
            arena.end(slot)
            return true
        }
        // Each GB18030 sequence of n bytes becomes at most n + 1 UTF-8 bytes.
        let output = arena.reserve(n * 2 + 4)
        var written = 0
        var i = 0
        let decoded = GB18030Decoder.twoByteTable.withUnsafeBufferPointer { table -> Bool in
            while i < n {
                let lead = base[i]
                if lead < 0x80 {
                    output[written] = lead
                    written += 1
                    i += 1
                    continue
                }
                guard lead >= 0x81, lead <= 0xFE, i + 1 < n else { return false }
                let second = base[i + 1]
                if second >= 0x40, second <= 0xFE {
                    let entry = table[Int(lead &- 0x81) &* 191 &+ Int(second &- 0x40)]
                    guard entry != 0 else { return false }
                    let length = Int(entry >> 24)
                    output[written] = UInt8(truncatingIfNeeded: entry)
                    if length > 1 { output[written + 1] = UInt8(truncatingIfNeeded: entry >> 8) }
                    if length > 2 { output[written + 2] = UInt8(truncatingIfNeeded: entry >> 16) }
                    written += length
                    i += 2
                } else if second >= 0x30, second <= 0x39, i + 3 < n {
                    let length = convert(UnsafeBufferPointer(start: base + i, count: 4), to: output + written)
                    guard length > 0 else { return false }
                    written += length
                    i += 4
                } else {
                    return false
                }
            }
            return true
        }
        guard decoded else { return false }
        arena.commit(written)
        arena.end(slot)
        return true
    }

    /// Converts one complete sequence through iconv into `target` (room for 4 bytes); the
    /// number of UTF-8 bytes written, or 0 when iconv refuses it.
    private func convert(_ sequence: UnsafeBufferPointer<UInt8>, to target: UnsafeMutablePointer<UInt8>) -> Int {
        GB18030Decoder.convert(sequence, to: target, with: converter)
    }

    private static func convert(
        _ sequence: UnsafeBufferPointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, with converter: iconv_t
    ) -> Int {
        guard let base = sequence.baseAddress else { return 0 }
        iconv(converter, nil, nil, nil, nil)
        var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: base)
            .assumingMemoryBound(to: CChar.self)
        var inLeft = sequence.count
        var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(target)
            .assumingMemoryBound(to: CChar.self)
        var outLeft = 4
        let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
        guard result != -1, inLeft == 0 else { return 0 }
        return 4 - outLeft
    }

    /// Every two-byte code (lead 0x81–0xFE, trail 0x40–0xFE: 126 × 191 entries) as glibc's
    /// iconv decodes it, so the table agrees with iconv by construction: the UTF-8 bytes in
    /// the low three bytes, their count in the high byte, 0 where iconv refuses the code.
    static let twoByteTable: [UInt32] = {
        let converter: iconv_t = iconv_open("UTF-8", "GB18030")
        precondition(converter != iconv_t(bitPattern: -1), "glibc iconv has no GB18030 converter")
        defer { iconv_close(converter) }
        var table = [UInt32](repeating: 0, count: 126 * 191)
        var sequence: [UInt8] = [0, 0]
        var target: [UInt8] = [0, 0, 0, 0]
        for lead in 0x81...0xFE {
            for second in 0x40...0xFE where second != 0x7F {
                sequence[0] = UInt8(lead)
                sequence[1] = UInt8(second)
                let length = sequence.withUnsafeBufferPointer { input in
                    target.withUnsafeMutableBufferPointer { convert(input, to: $0.baseAddress!, with: converter) }
                }
                // Two GB18030 bytes always decode to one BMP scalar: at most three UTF-8 bytes.
                guard length > 0, length <= 3 else { continue }
                var entry = UInt32(length) << 24
                for k in 0..<length { entry |= UInt32(target[k]) << (8 * k) }
                table[(lead - 0x81) * 191 + (second - 0x40)] = entry
            }
        }
        return table
    }()

    /// `bytes` decoded with each byte that starts no valid sequence replaced by U+FFFD, for
    /// the raw text of a rejected row: the rest of the row stays readable.
    func decodeLossy(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var text = ""
        var rest = bytes
        let arena = FieldArena(slotCount: 1)
        while !rest.isEmpty {
            let valid = GB18030Decoder.firstInvalid(rest) ?? rest.count
            arena.reset()
            if decode(UnsafeBufferPointer(rebasing: rest[0..<valid]), into: arena, slot: 0) {
                text += arena.string(0) ?? ""
            } else {
                text += String(repeating: "\u{FFFD}", count: valid)
            }
            guard valid < rest.count else { break }
            text += "\u{FFFD}"
            rest = UnsafeBufferPointer(rebasing: rest[(valid + 1)...])
        }
        return text
    }
}
