import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads JSON Lines: one record object per line. An invalid line is rejected and the next
/// line is read; blank lines are not records.
final class JSONLinesReader: RawRecordReader {
    private let input: InputBuffer
    private let extractor: JSONRecordExtractor
    private let maxRecordBytes: Int
    private let maxNestingDepth: Int
    private var position = 0
    private var line = 0
    private var recordIndex = 0
    private var started = false

    var bytesRead: Int { input.baseOffset + position }

    init(input: InputBuffer, maxRecordBytes: Int, maxNestingDepth: Int, slots: FieldSlots) {
        self.maxNestingDepth = maxNestingDepth
        self.input = input
        self.maxRecordBytes = maxRecordBytes
        self.extractor = JSONRecordExtractor(slots: slots)
    }

    func next(into fields: FieldArena) throws(ImportError) -> RawItem? {
        if !started {
            started = true
            _ = try input.refill(keepingFrom: 0)
            if ByteOrderMark.detect(input.bytes) == .utf8 { position = 3 }
        }
        while true {
            guard let next = try nextLine() else { return nil }
            line += 1
            let start: Int
            let end: Int
            switch next {
            case .oversized(let following):
                position = following
                recordIndex += 1
                let location = RecordLocation(file: input.path, line: line, recordIndex: recordIndex)
                return .reject(
                    Reject(location: location, reason: .recordTooLarge(limitBytes: input.maxCapacity), raw: ""))
            case .content(let contentStart, let contentEnd, let following):
                start = contentStart
                end = contentEnd
                position = following
            }
            let bytes = UnsafeBufferPointer(rebasing: input.bytes[start..<end])
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            recordIndex += 1
            let location = RecordLocation(
                file: input.path, line: line, recordIndex: recordIndex, byteOffset: input.baseOffset + start)
            if bytes.count > maxRecordBytes {
                return .reject(Reject(location: location, reason: .recordTooLarge(limitBytes: maxRecordBytes), raw: ""))
            }
            // The record object is one level; the limit counts the levels inside it.
            var scanner = JSONScanner(bytes: bytes, maxDepth: maxNestingDepth + 1)
            do throws(JSONSyntaxError) {
                let outcome = try extractor.extract(&scanner, into: fields)
                if scanner.peek() != nil { throw scanner.error("the end of the line after the record") }
                return outcome.item(at: location, raw: String(decoding: bytes, as: UTF8.self))
            } catch  where error.isEncodingError {
                return .reject(
                    Reject(
                        location: location,
                        reason: .undecodableBytes(
                            encoding: "UTF-8", byteOffset: input.baseOffset + start + error.offset,
                            field: "a text value; JSON files must be UTF-8"),
                        raw: String(decoding: bytes, as: UTF8.self)))
            } catch  where error.isNestingError {
                return .reject(
                    Reject(
                        location: location, reason: .nestedTooDeep(limit: maxNestingDepth),
                        raw: String(decoding: bytes, as: UTF8.self)))
            } catch {
                let column = TextPosition.of(offset: error.offset, in: bytes).column
                return .reject(
                    Reject(
                        location: location, reason: .invalidJSON(detail: "column \(column): \(error.message)"),
                        raw: String(decoding: bytes, as: UTF8.self)))
            }
        }
    }

    private enum Line {
        /// A line's content range (without CR LF) and where the line after it starts.
        case content(Int, Int, Int)
        /// A line longer than the largest window, skipped; where the line after it starts.
        case oversized(Int)
    }

    private func nextLine() throws(ImportError) -> Line? {
        var skipping = false
        while true {
            let bytes = input.bytes
            if position < bytes.count,
                let found = memchr(bytes.baseAddress! + position, 0x0A, bytes.count - position)
            {
                let newline = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if skipping { return .oversized(newline + 1) }
                let end = newline > position && bytes[newline - 1] == 0x0D ? newline - 1 : newline
                return .content(position, end, newline + 1)
            }
            if try input.refill(keepingFrom: position) {
                position = 0
                continue
            }
            if input.isExhausted {
                // A line longer than the largest window: drop what was read and skip to its end.
                skipping = true
                position = input.count
                continue
            }
            position = 0
            guard input.count > 0 else { return nil }
            if skipping { return .oversized(input.count) }
            // The last line has no newline.
            let end = input.bytes[input.count - 1] == 0x0D ? input.count - 1 : input.count
            return .content(0, end, input.count)
        }
    }
}
