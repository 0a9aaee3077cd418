import ETLCore

/// Reads RFC 4180 CSV as bytes from a chunked buffer: quoted delimiters, doubled quotes,
/// line breaks inside quotes, CRLF/LF/CR line ends and a UTF-8 byte-order mark. Fields are
/// decoded (UTF-8 or GB18030) only when the pipeline uses them, and validated always.
final class CSVReader: RawRecordReader {
    private struct FieldRange {
        var start: Int
        var end: Int
        var hasDoubledQuotes: Bool
    }

    private enum Scan {
        /// A complete record ending before `end`, which spans `lineBreaks` line breaks.
        case record(end: Int, lineBreaks: Int)
        case needMore
        case textAfterQuote(field: Int)
        case unclosedQuote(field: Int, limit: String)
        /// The record does not fit in the largest window.
        case tooLarge
    }

    private let input: InputBuffer
    private let options: CSVOptions
    private let encoding: ResolvedEncoding
    private let decoder: GB18030Decoder?
    private let slotCount: Int
    private let maxRecordBytes: Int
    private var header: [String] = []
    private var columnSlots: [Int?] = []
    /// The column of the record key (slot 0).
    private var keyColumn: Int?
    private var fields: [FieldRange] = []
    private var position = 0
    private var line = 1
    private var recordIndex = 0
    private var scratch: [UInt8] = []

    var bytesRead: Int { input.baseOffset + position }

    init(
        input: InputBuffer, options: CSVOptions, encoding: ResolvedEncoding, maxRecordBytes: Int, slots: FieldSlots
    ) throws(ImportError) {
        self.input = input
        self.maxRecordBytes = maxRecordBytes
        self.options = options
        self.encoding = encoding
        self.decoder = encoding == .gb18030 ? GB18030Decoder() : nil
        self.slotCount = slots.names.count
        _ = try input.refill(keepingFrom: 0)
        switch ByteOrderMark.detect(input.bytes) {
        case .utf8: position = 3
        case .gb18030 where encoding == .gb18030: position = 4
        default: break
        }
        try readHeader(slots: slots)
    }

    private func readHeader(slots: FieldSlots) throws(ImportError) {
        while true {
            switch try scanNext() {
            case nil:
                throw .missingHeader(file: input.path)
            case .record(let end, let lineBreaks)?:
                header = fields.map { headerName($0) }
                position = end
                line += lineBreaks
                var columnSlots = [Int?](repeating: nil, count: header.count)
                var missing: [MissingColumn] = []
                for (slot, name) in slots.names.enumerated() {
                    guard let column = header.firstIndex(of: name) else {
                        missing.append(
                            MissingColumn(column: name, suggestion: Suggestion.closest(to: name, in: header)))
                        continue
                    }
                    columnSlots[column] = slot
                }
                if let first = missing.first {
                    throw .missingColumn(
                        file: input.path, column: first.column, suggestion: first.suggestion,
                        alsoMissing: Array(missing.dropFirst()))
                }
                self.columnSlots = columnSlots
                keyColumn = columnSlots.firstIndex(of: 0)
                return
            default:
                // A header that cannot be read is a file-level problem: no column can be trusted.
                throw .cannotRead(file: input.path, reason: "line \(line): the header row is not valid CSV")
            }
        }
    }

    func next(into arena: FieldArena) throws(ImportError) -> RawItem? {
        while true {
            guard let scan = try scanNext() else { return nil }
            // `scanNext` may have moved the window: the record starts at `scanStart` now.
            let recordStart = scanStart
            let location = RecordLocation(
                file: input.path, line: line, recordIndex: recordIndex + 1, byteOffset: input.baseOffset + recordStart)
            switch scan {
            case .record(let end, let lineBreaks):
                position = end
                line += lineBreaks
                if fields.count == 1, fields[0].start == fields[0].end, !isQuoted(fields[0], recordStart) {
                    continue  // A blank line is not a record.
                }
                recordIndex += 1
                if end - recordStart > maxRecordBytes {
                    return .reject(
                        Reject(location: location, reason: .recordTooLarge(limitBytes: maxRecordBytes), raw: ""))
                }
                return .some(makeRecord(location: location, recordStart: recordStart, end: end, into: arena))
            case .textAfterQuote(let field):
                recordIndex += 1
                // Read before skipping, which may move the window under the fields.
                let key = rejectedRowKey(completeFields: field - 1)
                let end = try skipToLineEnd(from: recordStart)
                // Skipping may have moved the window: the row now starts at `scanStart`.
                let raw = decodeLossy(FieldRange(start: scanStart, end: end.contentEnd, hasDoubledQuotes: false))
                position = end.next
                line += end.lineBreaks
                return .reject(
                    Reject(location: location, reason: .textAfterClosingQuote(field: field), raw: raw, recordKey: key))
            case .tooLarge:
                recordIndex += 1
                let end = try skipToLineEnd(from: scanStart)
                position = end.next
                line += end.lineBreaks
                return .reject(
                    Reject(location: location, reason: .recordTooLarge(limitBytes: maxRecordBytes), raw: ""))
            case .unclosedQuote(let field, let limit):
                recordIndex += 1
                // Resume at the line after the one where the row began, so a stray quote
                // cannot swallow the rest of the file.
                let key = rejectedRowKey(completeFields: field - 1)
                let end = try skipToLineEnd(from: scanStart)
                let raw = decodeLossy(FieldRange(start: scanStart, end: end.contentEnd, hasDoubledQuotes: false))
                position = end.next
                line += end.lineBreaks
                return .reject(
                    Reject(
                        location: location,
                        reason: .unclosedQuote(field: field, limit: limit, resumedAtLine: line), raw: raw,
                        recordKey: key))
            case .needMore:
                preconditionFailure("scanNext resolves needMore itself")
            }
        }
    }

    /// Where the last scan started, after any refill moved the window.
    private var scanStart = 0

    /// Scans the record at `position`, refilling as needed. `nil` at the end of the file.
    private func scanNext() throws(ImportError) -> Scan? {
        while true {
            scanStart = position
            if position >= input.count {
                if try !input.refill(keepingFrom: position) {
                    position = 0
                    scanStart = 0
                    return nil
                }
                position = 0
                continue
            }
            let result = scan(from: position)
            if case .needMore = result {
                let keep = position
                if try input.refill(keepingFrom: keep) {
                    position = 0
                    continue
                }
                position = 0
                scanStart = 0
                if input.isExhausted { return .tooLarge }
                // At the end of the file: scan again knowing no more bytes will come.
                let final = scan(from: 0)
                if case .needMore = final { preconditionFailure("a scan at the end of the file is complete") }
                return final
            }
            return result
        }
    }

    private func isQuoted(_ field: FieldRange, _ recordStart: Int) -> Bool {
        let bytes = input.bytes
        return field.start > recordStart && bytes[field.start - 1] == UInt8(ascii: "\"")
    }

    /// Scans one record from `start`; fields are appended to `fields`.
    private func scan(from start: Int) -> Scan {
        let bytes = input.bytes
        let n = bytes.count
        let atEnd = input.atEnd
        let quote = UInt8(ascii: "\"")
        let delimiter = options.delimiter
        let cr: UInt8 = 0x0D
        let lf: UInt8 = 0x0A
        // Work on a local array: appending to the stored property would cost a dynamic
        // exclusivity check per field.
        var fields: [FieldRange] = []
        swap(&fields, &self.fields)
        defer { swap(&fields, &self.fields) }
        fields.removeAll(keepingCapacity: true)
        let skipsTrailBytes = encoding == .gb18030 && delimiter >= 0x40
        var i = start
        var lineBreaks = 0
        while true {
            if i < n, bytes[i] == quote {
                i += 1
                let contentStart = i
                var doubled = false
                var quotedLines = 0
                while true {
                    guard i < n else {
                        return atEnd
                            ? .unclosedQuote(field: fields.count + 1, limit: "the end of the file") : .needMore
                    }
                    let byte = bytes[i]
                    if byte == quote {
                        if i + 1 < n {
                            if bytes[i + 1] == quote {
                                doubled = true
                                i += 2
                                continue
                            }
                        } else if !atEnd {
                            return .needMore
                        }
                        break
                    }
                    if byte == lf || (byte == cr && (i + 1 >= n || bytes[i + 1] != lf)) {
                        lineBreaks += 1
                        quotedLines += 1
                        if quotedLines > options.maxQuotedFieldLines {
                            return .unclosedQuote(
                                field: fields.count + 1, limit: "\(options.maxQuotedFieldLines) lines")
                        }
                    }
                    i += 1
                    if i - contentStart > options.maxQuotedFieldBytes {
                        return .unclosedQuote(field: fields.count + 1, limit: "\(options.maxQuotedFieldBytes) bytes")
                    }
                }
                fields.append(FieldRange(start: contentStart, end: i, hasDoubledQuotes: doubled))
                i += 1  // The closing quote.
                guard i < n else {
                    return atEnd ? .record(end: i, lineBreaks: lineBreaks) : .needMore
                }
                let next = bytes[i]
                if next == delimiter {
                    i += 1
                    continue
                }
                if next != cr && next != lf {
                    return .textAfterQuote(field: fields.count)
                }
            } else {
                let fieldStart = i
                while i < n {
                    let byte = bytes[i]
                    if byte == delimiter || byte == lf || byte == cr { break }
                    // A GB18030 second byte can equal a delimiter such as '|' (0x7C): step
                    // over whole two-byte sequences. (Line ends and quotes are below 0x40, so
                    // they never occur as second bytes.)
                    i += skipsTrailBytes && byte >= 0x81 ? 2 : 1
                }
                if i > n {
                    if !atEnd { return .needMore }
                    i = n
                }
                guard i < n else {
                    if !atEnd { return .needMore }
                    fields.append(FieldRange(start: fieldStart, end: i, hasDoubledQuotes: false))
                    return .record(end: i, lineBreaks: lineBreaks)
                }
                fields.append(FieldRange(start: fieldStart, end: i, hasDoubledQuotes: false))
                if bytes[i] == delimiter {
                    i += 1
                    continue
                }
            }
            // A line end closes the record: CRLF, LF or a lone CR.
            if bytes[i] == cr {
                if i + 1 < n {
                    i += bytes[i + 1] == lf ? 2 : 1
                } else if atEnd {
                    i += 1
                } else {
                    return .needMore
                }
            } else {
                i += 1
            }
            return .record(end: i, lineBreaks: lineBreaks + 1)
        }
    }

    /// Finds the end of the physical line that starts at `start`, refilling as needed; used to
    /// skip a bad row. Adjusts `scanStart` when the window moves.
    private func skipToLineEnd(from start: Int) throws(ImportError) -> (contentEnd: Int, next: Int, lineBreaks: Int) {
        var i = start
        while true {
            let bytes = input.bytes
            while i < bytes.count, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
            if i < bytes.count {
                let contentEnd = i
                if bytes[i] == 0x0D {
                    if i + 1 >= bytes.count, !input.atEnd {
                        // Decide CR versus CRLF after reading on.
                        let shift = scanStart
                        if try input.refill(keepingFrom: shift) {
                            i -= shift
                            scanStart = 0
                            continue
                        }
                        scanStart = 0
                        return (contentEnd - shift, i - shift + 1, 1)
                    }
                    i += (i + 1 < bytes.count && bytes[i + 1] == 0x0A) ? 2 : 1
                } else {
                    i += 1
                }
                return (contentEnd, i, 1)
            }
            let shift = scanStart
            let refilled = try input.refill(keepingFrom: shift)
            // The window moved by `shift` whether or not bytes were added (at the end of the
            // file it moves and adds none).
            i -= shift
            scanStart = 0
            if refilled { continue }
            if input.isExhausted {
                // A line longer than the window: drop what we have and keep skipping.
                let refilled = try input.refill(keepingFrom: i)
                i = 0
                scanStart = 0
                if refilled { continue }
            }
            return (i, i, 0)
        }
    }

    private func makeRecord(location: RecordLocation, recordStart: Int, end: Int, into arena: FieldArena) -> RawItem {
        guard fields.count == header.count else {
            return .reject(
                Reject(
                    location: location, reason: .wrongFieldCount(found: fields.count, expected: header.count),
                    raw: rawLine(recordStart, end)))
        }
        for (column, field) in fields.enumerated() {
            let slot = columnSlots[column]
            // A GB18030 field that is mapped is checked while it is decoded, in one pass; any
            // other field is only checked.
            if decoder != nil, let slot, field.end > field.start {
                if decode(field, into: arena, slot: slot) { continue }
            } else if firstInvalid(in: field) == nil {
                guard let slot, field.end > field.start else { continue }
                if decode(field, into: arena, slot: slot) { continue }
            }
            // A byte that starts no sequence is named; a well-formed code that has no Unicode
            // character is found at the field's start.
            let offset = firstInvalid(in: field) ?? 0
            return .reject(
                Reject(
                    location: location,
                    reason: .undecodableBytes(
                        encoding: encoding.rawValue, byteOffset: input.baseOffset + field.start + offset,
                        field: header[column]),
                    raw: rawLine(recordStart, end), recordKey: column == keyColumn ? nil : rejectedRowKey()))
        }
        return .record(location)
    }

    /// The key of a row being rejected, when the row has its key column among its first
    /// `completeFields` fields (all of them by default) and it reads cleanly. Not for a row
    /// with too many or too few fields: a comma too many or too few before the key column
    /// would shift another field, perhaps personal data, into its place.
    private func rejectedRowKey(completeFields: Int? = nil) -> String? {
        guard let keyColumn, keyColumn < min(fields.count, completeFields ?? fields.count) else { return nil }
        let field = fields[keyColumn]
        guard field.end > field.start, firstInvalid(in: field) == nil else { return nil }
        let arena = FieldArena(slotCount: 1)
        guard decode(field, into: arena, slot: 0), let key = arena.string(0), !key.isEmpty else { return nil }
        return key
    }

    /// The offset in `field` of the first byte that starts no sequence of the encoding, or `nil`.
    private func firstInvalid(in field: FieldRange) -> Int? {
        let bytes = UnsafeBufferPointer(rebasing: input.bytes[field.start..<field.end])
        return encoding == .utf8 ? UTF8Validation.firstInvalid(bytes) : GB18030Decoder.firstInvalid(bytes)
    }

    /// Puts the field's text, with doubled quotes undone, into `arena` as `slot`; `false`
    /// when it cannot be decoded.
    private func decode(_ field: FieldRange, into arena: FieldArena, slot: Int) -> Bool {
        let bytes = UnsafeBufferPointer(rebasing: input.bytes[field.start..<field.end])
        guard field.hasDoubledQuotes else { return decodeBytes(bytes, into: arena, slot: slot) }
        scratch.removeAll(keepingCapacity: true)
        var i = 0
        while i < bytes.count {
            scratch.append(bytes[i])
            i += bytes[i] == UInt8(ascii: "\"") ? 2 : 1
        }
        return scratch.withUnsafeBufferPointer { decodeBytes($0, into: arena, slot: slot) }
    }

    private func decodeBytes(_ bytes: UnsafeBufferPointer<UInt8>, into arena: FieldArena, slot: Int) -> Bool {
        // ASCII is the same in GB18030 and UTF-8, and UTF-8 was validated already.
        guard let decoder, !isASCII(bytes) else {
            arena.set(slot, bytes)
            return true
        }
        return decoder.decode(bytes, into: arena, slot: slot)
    }

    private func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        UTF8Validation.asciiPrefix(bytes) == bytes.count
    }

    /// A header cell's text, with doubled quotes undone.
    private func headerName(_ field: FieldRange) -> String {
        let arena = FieldArena(slotCount: 1)
        return decode(field, into: arena, slot: 0) ? arena.string(0) ?? "" : decodeLossy(field)
    }

    /// The text of a range for rejects' raw text: bytes that cannot be decoded become U+FFFD.
    private func decodeLossy(_ field: FieldRange) -> String {
        let bytes = UnsafeBufferPointer(rebasing: input.bytes[field.start..<field.end])
        if let decoder { return decoder.decodeLossy(bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func rawLine(_ start: Int, _ end: Int) -> String {
        var contentEnd = end
        let bytes = input.bytes
        while contentEnd > start, bytes[contentEnd - 1] == 0x0A || bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        return decodeLossy(FieldRange(start: start, end: contentEnd, hasDoubledQuotes: false))
    }
}
