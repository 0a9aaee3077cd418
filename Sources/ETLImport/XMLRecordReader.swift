import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads XML exports as a stream: a byte scanner cuts the file at record-element boundaries
/// and libxml2 parses each record on its own, so a malformed element rejects only itself.
/// The file is never loaded whole and no tree is built.
///
/// A record element is the configured element (for example `<person>`) wherever it occurs
/// outside another record. A record's values are the text of its child elements, by name.
final class XMLRecordReader: RawRecordReader {
    private let input: InputBuffer
    private let recordName: [UInt8]
    private let parser: XMLRecordParser
    private let group: XMLRecordGroup
    /// The next member of `group` to hand out, and whether the group parsed as a whole.
    private var groupIndex = 0
    private var groupParsed = false
    /// A record that ended the last group: too large to keep.
    private var pendingTooLarge: RecordLocation?
    private let maxRecordBytes: Int
    private var position = 0
    private var line = 1
    private var recordIndex = 0
    /// Depth of open elements outside records, to detect a truncated file.
    private var outerDepth = 0

    var bytesRead: Int { input.baseOffset + position }

    init(
        input: InputBuffer, recordElement: String, maxRecordBytes: Int, maxNestingDepth: Int, slots: FieldSlots
    ) throws(ImportError) {
        self.input = input
        self.maxRecordBytes = maxRecordBytes
        self.recordName = Array(recordElement.utf8)
        self.parser = XMLRecordParser(slots: slots, maxNestingDepth: maxNestingDepth)
        self.group = XMLRecordGroup(slotCount: slots.names.count)
        _ = try input.refill(keepingFrom: 0)
        if ByteOrderMark.detect(input.bytes) == .utf8 { position = 3 }
    }

    /// How many records are parsed together.
    private static let groupSize = 128

    func next(into fields: FieldArena) throws(ImportError) -> RawItem? {
        while groupIndex >= group.count {
            if let location = pendingTooLarge {
                pendingTooLarge = nil
                return .reject(Reject(location: location, reason: .recordTooLarge(limitBytes: maxRecordBytes), raw: ""))
            }
            try fillGroup()
            if group.count == 0 && pendingTooLarge == nil { return nil }
        }
        let index = groupIndex
        groupIndex += 1
        let member = group.members[index]
        if groupParsed {
            group.copy(record: index, into: fields)
            return .record(member.location)
        }
        // The group did not parse as a whole: parse this record alone.
        let problem = group.bytes.withUnsafeBufferPointer { bytes in
            parser.parse(UnsafeBufferPointer(rebasing: bytes[member.range]), into: fields)
        }
        guard let problem else { return .record(member.location) }
        let raw = String(decoding: group.bytes[member.range], as: UTF8.self)
        if let limit = problem.nestingLimit {
            return .reject(Reject(location: member.location, reason: .nestedTooDeep(limit: limit), raw: raw))
        }
        let line = member.location.line
        let detail = problem.line > 1 ? "\(problem.message) (line \(line + problem.line - 1))" : problem.message
        return .reject(Reject(location: member.location, reason: .malformedXML(detail: detail), raw: raw))
    }

    /// Cuts up to `groupSize` records from the stream and parses them together.
    private func fillGroup() throws(ImportError) {
        group.reset()
        groupIndex = 0
        while group.count < XMLRecordReader.groupSize {
            let found = try scanToNextRecord()
            if case .endOfFile = found {
                if outerDepth > 0 {
                    throw .brokenXMLDocument(
                        file: input.path, line: line,
                        detail: "the file ends inside an element that was never closed, so it may be cut short")
                }
                break
            }
            if case .tooLarge(let startLine) = found {
                recordIndex += 1
                pendingTooLarge = RecordLocation(file: input.path, line: startLine, recordIndex: recordIndex)
                break
            }
            guard case .record(let start, let end, let startLine, let lines) = found else { break }
            recordIndex += 1
            let location = RecordLocation(
                file: input.path, line: startLine, recordIndex: recordIndex, byteOffset: input.baseOffset + start)
            position = end
            line = startLine + lines
            if end - start > maxRecordBytes {
                // Handed out after this group's records, in file order.
                pendingTooLarge = location
                break
            }
            group.add(UnsafeBufferPointer(rebasing: input.bytes[start..<end]), location: location)
        }
        guard group.count > 0 else { return }
        group.close()
        groupParsed = parser.parse(group: group) && group.isComplete
    }

    private enum Found {
        case endOfFile
        /// A record element from `start` to `end`, starting on `startLine` and spanning `lines` line breaks.
        case record(start: Int, end: Int, startLine: Int, lines: Int)
        case tooLarge(startLine: Int)
    }

    /// Skips markup outside records and finds the next record element's extent.
    private func scanToNextRecord() throws(ImportError) -> Found {
        while true {
            let bytes = input.bytes
            // Find the next '<', counting lines on the way.
            var i = position
            while i < bytes.count, bytes[i] != UInt8(ascii: "<") {
                if bytes[i] == 0x0A { line += 1 }
                i += 1
            }
            position = i
            if i >= bytes.count {
                let refilled = try input.refill(keepingFrom: position)
                position = 0
                if refilled { continue }
                return .endOfFile
            }
            switch markup(at: i, in: bytes) {
            case .needMore:
                // After a refill, kept or not, the markup starts at 0. When the refill finds the
                // end of the file, look once more: a short tag may be complete after all.
                let wasAtEnd = input.atEnd
                let refilled = try input.refill(keepingFrom: position)
                position = 0
                if refilled || (!wasAtEnd && input.atEnd) { continue }
                if input.isExhausted {
                    return try skipOversized()
                }
                // Markup cut off by the end of the file.
                throw .brokenXMLDocument(file: input.path, line: line, detail: "the file ends inside a tag")
            case .other(let end, let lines, let depthChange):
                outerDepth += depthChange
                line += lines
                position = end
            case .recordStart:
                switch findRecordEnd(from: i, in: bytes) {
                case .needMore:
                    // After a refill, kept or not, the record starts at 0.
                    let wasAtEnd = input.atEnd
                    let refilled = try input.refill(keepingFrom: position)
                    position = 0
                    if refilled || (!wasAtEnd && input.atEnd) { continue }
                    if input.isExhausted { return try skipOversized() }
                    // The file ends inside this record: hand what there is to the parser,
                    // which rejects it as malformed.
                    let rest = input.bytes
                    return .record(start: 0, end: rest.count, startLine: line, lines: countLines(rest, 0, rest.count))
                case .end(let end, let lines):
                    return .record(start: i, end: end, startLine: line, lines: lines)
                }
            }
        }
    }

    /// Drops a record that does not fit in the largest window, up to the next record start.
    private func skipOversized() throws(ImportError) -> Found {
        let startLine = line
        position += 1
        while true {
            let bytes = input.bytes
            var i = position
            while i < bytes.count {
                if bytes[i] == 0x0A { line += 1 }
                if bytes[i] == UInt8(ascii: "<"), isRecordStartTag(at: i, in: bytes) ?? false {
                    position = i
                    return .tooLarge(startLine: startLine)
                }
                i += 1
            }
            position = i
            guard try input.refill(keepingFrom: max(0, position - recordName.count - 2)) else {
                return .tooLarge(startLine: startLine)
            }
            position = min(recordName.count + 2, input.count)
        }
    }

    private enum Markup {
        case needMore
        /// Markup that is not a record start, ending at `end`; `depthChange` is +1 for a start
        /// tag, -1 for an end tag, 0 otherwise.
        case other(end: Int, lines: Int, depthChange: Int)
        case recordStart
    }

    private func markup(at i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Markup {
        if starts(with: "<!--", at: i, in: bytes) {
            guard let end = find("-->", from: i + 4, in: bytes) else { return .needMore }
            return .other(end: end + 3, lines: countLines(bytes, i, end), depthChange: 0)
        }
        if starts(with: "<![CDATA[", at: i, in: bytes) {
            guard let end = find("]]>", from: i + 9, in: bytes) else { return .needMore }
            return .other(end: end + 3, lines: countLines(bytes, i, end), depthChange: 0)
        }
        if starts(with: "<?", at: i, in: bytes) {
            guard let end = find("?>", from: i + 2, in: bytes) else { return .needMore }
            return .other(end: end + 2, lines: countLines(bytes, i, end), depthChange: 0)
        }
        if starts(with: "<!", at: i, in: bytes) {
            // A DOCTYPE, possibly with an internal subset in brackets. It is skipped, never
            // read: etl loads no DTD and expands no entity from it.
            var bracket = 0
            var j = i + 2
            while j < bytes.count {
                switch bytes[j] {
                case UInt8(ascii: "["): bracket += 1
                case UInt8(ascii: "]"): bracket -= 1
                case UInt8(ascii: ">") where bracket <= 0:
                    return .other(end: j + 1, lines: countLines(bytes, i, j), depthChange: 0)
                default: break
                }
                j += 1
            }
            return .needMore
        }
        guard let isRecord = isRecordStartTag(at: i, in: bytes) else { return .needMore }
        if isRecord { return .recordStart }
        guard let end = tagEnd(from: i, in: bytes) else { return .needMore }
        let isEndTag = i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/")
        let selfClosing = bytes[end - 2] == UInt8(ascii: "/")
        return .other(end: end, lines: countLines(bytes, i, end), depthChange: isEndTag ? -1 : (selfClosing ? 0 : 1))
    }

    private enum RecordEnd {
        case needMore
        case end(Int, lines: Int)
    }

    /// The end of the record element starting at `start`: after its end tag, after a
    /// self-closing start tag, or before the next record's start tag when it never closes.
    private func findRecordEnd(from start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> RecordEnd {
        guard let startTagEnd = tagEnd(from: start, in: bytes) else { return .needMore }
        if bytes[startTagEnd - 2] == UInt8(ascii: "/") {
            return .end(startTagEnd, lines: countLines(bytes, start, startTagEnd))
        }
        var j = startTagEnd
        while j < bytes.count {
            guard let found = memchr(bytes.baseAddress! + j, Int32(UInt8(ascii: "<")), bytes.count - j) else {
                break
            }
            j = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if starts(with: "<!--", at: j, in: bytes) {
                guard let end = find("-->", from: j + 4, in: bytes) else { return .needMore }
                j = end + 3
                continue
            }
            if starts(with: "<![CDATA[", at: j, in: bytes) {
                guard let end = find("]]>", from: j + 9, in: bytes) else { return .needMore }
                j = end + 3
                continue
            }
            if j + 1 < bytes.count, bytes[j + 1] == UInt8(ascii: "/") {
                guard j + 2 + recordName.count < bytes.count else { return .needMore }
                if matchesName(at: j + 2, in: bytes), isNameEnd(bytes[j + 2 + recordName.count]) {
                    guard let end = tagEnd(from: j, in: bytes) else { return .needMore }
                    return .end(end, lines: countLines(bytes, start, end))
                }
                j += 2
                continue
            }
            guard let isRecord = isRecordStartTag(at: j, in: bytes) else { return .needMore }
            if isRecord {
                // The next record starts before this one closed: cut here.
                return .end(j, lines: countLines(bytes, start, j))
            }
            j += 1
        }
        return .needMore
    }

    /// Whether `<name` at `i` starts a record element; `nil` when more bytes are needed.
    private func isRecordStartTag(at i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        let after = i + 1 + recordName.count
        // At the end of the file, a tag too short to hold the name is not a record's.
        guard after < bytes.count else { return input.atEnd ? false : nil }
        guard matchesName(at: i + 1, in: bytes) else { return false }
        return isNameEnd(bytes[after]) || bytes[after] == UInt8(ascii: "/")
    }

    /// Whether `byte` ends an element name in a tag.
    private func isNameEnd(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ">"), 0x20, 0x09, 0x0A, 0x0D: true
        default: false
        }
    }

    private func matchesName(at i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard i + recordName.count <= bytes.count else { return false }
        for k in 0..<recordName.count where bytes[i + k] != recordName[k] {
            return false
        }
        return true
    }

    /// The index after the `>` that ends the tag at `i`, skipping quoted attribute values.
    private func tagEnd(from i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var quote: UInt8 = 0
        var j = i + 1
        while j < bytes.count {
            let byte = bytes[j]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return j + 1
            }
            j += 1
        }
        return nil
    }

    private func starts(with literal: StaticString, at i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= bytes.count else { return false }
        for k in 0..<count where bytes[i + k] != literal.utf8Start[k] {
            return false
        }
        return true
    }

    private func find(_ literal: StaticString, from i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = literal.utf8CodeUnitCount
        var j = i
        while j + count <= bytes.count {
            if bytes[j] == literal.utf8Start[0], starts(with: literal, at: j, in: bytes) { return j }
            j += 1
        }
        return nil
    }

    /// The number of line feeds in `bytes[from..<to]`, counted eight bytes at a time.
    private func countLines(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        let end = min(to, bytes.count)
        guard from < end, let base = bytes.baseAddress else { return 0 }
        var lines = 0
        var k = from
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let feeds = ones &* 0x0A
        while k + 8 <= end {
            // A zero byte in `word ^ feeds` marks a line feed (the classic has-zero-byte test).
            let word = UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self) ^ feeds
            let zeros = (word &- ones) & ~word & highs
            lines += zeros.nonzeroBitCount
            k += 8
        }
        while k < end {
            if bytes[k] == 0x0A { lines += 1 }
            k += 1
        }
        return lines
    }
}
