import ETLCore

/// Streams the records of a JSON document `{…, "records": [ {…}, {…} ]}` one element at a
/// time. A record that is not an object, holds a string that is not UTF-8, or is larger than
/// the limit is rejected; a syntax error anywhere breaks the document, so the file fails and
/// nothing of it is kept.
final class JSONDocumentReader: RawRecordReader {
    private enum State {
        case firstElement
        case afterElement
        case finished
    }

    /// The outcome of running a scan over the window.
    private enum Attempt<T> {
        case done(T)
        /// The value does not fit in the largest window.
        case tooLarge
    }

    private let input: InputBuffer
    private let extractor: JSONRecordExtractor
    private let recordsPath: [String]
    private let maxRecordBytes: Int
    private let maxNestingDepth: Int
    private var position = 0
    /// The line and column of `position`, counted as the reader moves on, so that positions
    /// stay right when the window moves. (Its offset is not used: the window moves.)
    private var cursor = TextPosition(line: 1, column: 1, offset: 0)
    private var line: Int { cursor.line }
    private var recordIndex = 0
    private var state = State.firstElement

    var bytesRead: Int { input.baseOffset + position }

    init(
        input: InputBuffer, recordsPath: [String], maxRecordBytes: Int, maxNestingDepth: Int, slots: FieldSlots
    ) throws(ImportError) {
        self.maxNestingDepth = maxNestingDepth
        self.input = input
        self.recordsPath = recordsPath
        self.maxRecordBytes = maxRecordBytes
        self.extractor = JSONRecordExtractor(slots: slots)
        _ = try input.refill(keepingFrom: 0)
        if ByteOrderMark.detect(input.bytes) == .utf8 { position = 3 }
        try findRecords()
    }

    func next(into fields: FieldArena) throws(ImportError) -> RawItem? {
        if case .finished = state { return nil }
        // Step over the separator to the next element, or find the end of the array.
        let atEnd = try complete(
            withCompleteValue(
                { scanner throws(JSONSyntaxError) -> Bool in
                    if case .afterElement = state {
                        if scanner.peek() == UInt8(ascii: "]") {
                            scanner.index += 1
                            return true
                        }
                        try scanner.expect(UInt8(ascii: ","), "',' or ']' after a record")
                    } else if scanner.peek() == UInt8(ascii: "]") {
                        scanner.index += 1
                        return true
                    }
                    // Stop at the element's first byte, so that its line is counted.
                    guard scanner.peek() != nil else { throw scanner.error("a record") }
                    return false
                }), what: "the record array")
        if atEnd {
            state = .finished
            try finishDocument()
            return nil
        }
        state = .afterElement
        recordIndex += 1
        let location = RecordLocation(
            file: input.path, line: line, recordIndex: recordIndex, byteOffset: input.baseOffset + position)
        let attempt = try withCompleteValue { scanner throws(JSONSyntaxError) -> RawItem in
            // The window may move between attempts: the record starts where the scanner does.
            let start = scanner.index
            fields.reset()
            let outcome: JSONRecordExtractor.Outcome
            do throws(JSONSyntaxError) {
                // The record object is one level; the limit counts the levels inside it.
                var limited = JSONScanner(bytes: scanner.bytes, index: start, maxDepth: maxNestingDepth + 1)
                defer { scanner.index = limited.index }
                outcome = try extractor.extract(&limited, into: fields)
            } catch  where error.isNestingError {
                // Skip the record with the scanner's own (larger) limit; deeper than that, the
                // document is reported broken, as its records can no longer be told apart.
                scanner.index = start
                try scanner.skipValue()
                return .reject(
                    Reject(
                        location: location, reason: .nestedTooDeep(limit: maxNestingDepth),
                        raw: text(scanner.bytes, start, scanner.index)))
            } catch  where error.isEncodingError {
                // The document is still well-formed: skip the record and reject it alone.
                scanner.index = start
                try scanner.skipValue()
                return .reject(
                    Reject(
                        location: location,
                        reason: .undecodableBytes(
                            encoding: "UTF-8", byteOffset: input.baseOffset + error.offset,
                            field: "a text value; JSON files must be UTF-8"),
                        raw: text(scanner.bytes, start, scanner.index)))
            }
            if scanner.index - start > maxRecordBytes {
                return .reject(Reject(location: location, reason: .recordTooLarge(limitBytes: maxRecordBytes), raw: ""))
            }
            return outcome.item(at: location, raw: text(scanner.bytes, start, scanner.index))
        }
        switch attempt {
        case .done(let item):
            return item
        case .tooLarge:
            try skipOversizedValue()
            return .reject(Reject(location: location, reason: .recordTooLarge(limitBytes: maxRecordBytes), raw: ""))
        }
    }

    private func text(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// Runs `body` on a scanner at `position`; when it runs out of bytes, reads more and
    /// runs it again from the same place. Moves `position` past what `body` consumed.
    private func withCompleteValue<T>(
        _ body: (inout JSONScanner) throws(JSONSyntaxError) -> T
    ) throws(ImportError) -> Attempt<T> {
        while true {
            var scanner = JSONScanner(bytes: input.bytes, index: position)
            do {
                let result = try body(&scanner)
                advance(to: scanner.index)
                return .done(result)
            } catch {
                // An error near the end of the window may just be a value cut off by it.
                if !input.atEnd, error.offset + 16 >= input.count {
                    let refilled = try input.refill(keepingFrom: position)
                    position = 0
                    if refilled || input.atEnd { continue }
                    return .tooLarge
                }
                let at = cursorAt(min(error.offset, input.count))
                throw .brokenJSONDocument(file: input.path, line: at.line, column: at.column, detail: error.message)
            }
        }
    }

    /// The value of a completed attempt, or a broken-document error for a part of the
    /// document outside the records that is too large.
    private func complete<T>(_ attempt: Attempt<T>, what: String) throws(ImportError) -> T {
        switch attempt {
        case .done(let value):
            return value
        case .tooLarge:
            throw .brokenJSONDocument(
                file: input.path, line: line, column: cursor.column,
                detail: "\(what) holds a value larger than the limit of \(input.maxCapacity) bytes")
        }
    }

    /// Walks from the document's start to the first byte inside the record array.
    private func findRecords() throws(ImportError) {
        let path = recordsPath
        let found = try complete(
            withCompleteValue { scanner throws(JSONSyntaxError) -> Bool in
                for component in path {
                    guard let next = scanner.peek() else { throw scanner.error("'{'") }
                    guard next == UInt8(ascii: "{") else { return false }
                    scanner.index += 1
                    var matched = false
                    while !matched {
                        if scanner.peek() == UInt8(ascii: "}") { return false }
                        let key = try scanner.readString()
                        try scanner.expect(UInt8(ascii: ":"), "':' after the key")
                        if key == component {
                            matched = true
                        } else {
                            try scanner.skipValue()
                            if scanner.peek() == UInt8(ascii: ",") {
                                scanner.index += 1
                            } else {
                                try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
                                return false
                            }
                        }
                    }
                }
                guard let next = scanner.peek() else { throw scanner.error("'['") }
                guard next == UInt8(ascii: "[") else { return false }
                scanner.index += 1
                return true
            }, what: "the document")
        if !found {
            throw .recordsPathNotFound(
                file: input.path, path: path.joined(separator: "."), detail: "the document has no array there")
        }
    }

    /// Checks that the rest of the document, after the record array, is well-formed and that
    /// nothing but whitespace follows it.
    private func finishDocument() throws(ImportError) {
        let depth = recordsPath.count
        _ = try complete(
            withCompleteValue { scanner throws(JSONSyntaxError) in
                for _ in 0..<depth {
                    while scanner.peek() == UInt8(ascii: ",") {
                        scanner.index += 1
                        _ = try scanner.readString()
                        try scanner.expect(UInt8(ascii: ":"), "':' after the key")
                        try scanner.skipValue()
                    }
                    try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
                }
            }, what: "the end of the document")
        while true {
            let bytes = input.bytes
            var i = position
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
            advance(to: i)
            if i < bytes.count {
                throw .brokenJSONDocument(
                    file: input.path, line: line, column: cursor.column,
                    detail: "expected the end of the document, found more text")
            }
            let refilled = try input.refill(keepingFrom: position)
            position = 0
            if !refilled { return }
        }
    }

    /// Skips a value too large for the window without holding it: strings, escapes and
    /// nesting are followed byte by byte while the window moves on.
    private func skipOversizedValue() throws(ImportError) {
        var depth = 0
        var inString = false
        var escaped = false
        var started = false
        while true {
            let bytes = input.bytes
            var i = position
            while i < bytes.count {
                let byte = bytes[i]
                i += 1
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                        if depth == 0 {
                            advance(to: i)
                            return
                        }
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                    started = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    started = true
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        advance(to: i)
                        return
                    }
                case UInt8(ascii: ","), 0x20, 0x09, 0x0A, 0x0D:
                    // A scalar at the top ends before a separator or whitespace.
                    if depth == 0 && started {
                        advance(to: i - 1)
                        return
                    }
                default:
                    started = true
                }
            }
            advance(to: i)
            let refilled = try input.refill(keepingFrom: position)
            position = 0
            if !refilled {
                throw .brokenJSONDocument(
                    file: input.path, line: line, column: cursor.column, detail: "the file ends inside a record")
            }
        }
    }

    // MARK: - Lines and columns

    /// Moves `position` to `index`, counting lines and columns on the way.
    private func advance(to index: Int) {
        cursor = cursorAt(index)
        position = index
    }

    /// The line and column of `index`, which is at or after `position`.
    private func cursorAt(_ index: Int) -> TextPosition {
        cursor.advanced(over: UnsafeBufferPointer(rebasing: input.bytes[position..<min(index, input.count)]))
    }
}
