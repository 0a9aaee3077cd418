import ETLCore

/// Streams the records of a JSON document `{…, "records": [ {…}, {…} ]}` one element at a
/// time. A record that is not an object is rejected; a syntax error anywhere breaks the
/// document, so the file fails and nothing of it is kept.
final class JSONDocumentReader: RawRecordReader {
    private enum State {
        case firstElement
        case afterElement
        case finished
    }

    private let input: InputBuffer
    private let extractor: JSONRecordExtractor
    private let recordsPath: [String]
    private var position = 0
    /// The line of `position`, counted as the reader moves on.
    private var line = 1
    private var recordIndex = 0
    private var state = State.firstElement

    var bytesRead: Int { input.baseOffset + position }

    init(input: InputBuffer, recordsPath: [String], slots: FieldSlots) throws(ImportError) {
        self.input = input
        self.recordsPath = recordsPath
        self.extractor = JSONRecordExtractor(slots: slots)
        _ = try input.refill(keepingFrom: 0)
        if ByteOrderMark.detect(input.bytes) == .utf8 { position = 3 }
        try findRecords()
    }

    func next(into fields: FieldArena) throws(ImportError) -> RawItem? {
        while true {
            if case .finished = state { return nil }
            let attempt = try withCompleteValue { scanner throws(JSONSyntaxError) -> RawItem? in
                if case .afterElement = state {
                    if scanner.peek() == UInt8(ascii: "]") {
                        scanner.index += 1
                        return nil
                    }
                    try scanner.expect(UInt8(ascii: ","), "',' or ']' after a record")
                } else if scanner.peek() == UInt8(ascii: "]") {
                    scanner.index += 1
                    return nil
                }
                scanner.skipWhitespace()
                let start = scanner.index
                let location = RecordLocation(
                    file: input.path, line: lineAt(start), recordIndex: recordIndex + 1,
                    byteOffset: input.baseOffset + start)
                let outcome: JSONRecordExtractor.Outcome
                do throws(JSONSyntaxError) {
                    fields.reset()
                    outcome = try extractor.extract(&scanner, into: fields)
                } catch  where error.isEncodingError {
                    // The document is still well-formed: skip the record and reject it alone.
                    scanner.index = start
                    try scanner.skipValue()
                    let raw = String(
                        decoding: UnsafeBufferPointer(rebasing: scanner.bytes[start..<scanner.index]), as: UTF8.self)
                    return .reject(
                        Reject(
                            location: location,
                            reason: .undecodableBytes(
                                encoding: "UTF-8", byteOffset: input.baseOffset + error.offset, field: "a JSON string"),
                            raw: raw))
                }
                switch outcome {
                case .values:
                    return .record(location)
                case .notAnObject(let found):
                    let raw = String(
                        decoding: UnsafeBufferPointer(rebasing: scanner.bytes[start..<scanner.index]), as: UTF8.self)
                    return .reject(Reject(location: location, reason: .notAnObject(found: found), raw: raw))
                }
            }
            guard let item = attempt else {
                state = .finished
                try finishDocument()
                return nil
            }
            state = .afterElement
            recordIndex += 1
            return item
        }
    }

    /// Runs `body` on a scanner at `position`; when it runs out of bytes, reads more and
    /// runs it again from the same place. Moves `position` past what `body` consumed.
    private func withCompleteValue<T>(_ body: (inout JSONScanner) throws(JSONSyntaxError) -> T) throws(ImportError) -> T
    {
        while true {
            var scanner = JSONScanner(bytes: input.bytes, index: position)
            do {
                let result = try body(&scanner)
                advance(to: scanner.index)
                return result
            } catch {
                // An error near the end of the window may just be a value cut off by it.
                if !input.atEnd, error.offset + 16 >= input.count {
                    if try input.refill(keepingFrom: position) {
                        position = 0
                        lineBase = 0
                        continue
                    }
                    if input.isExhausted {
                        throw .brokenJSONDocument(
                            file: input.path, line: lineAt(position), column: 1,
                            detail: "a record larger than the limit of \(input.maxCapacity) bytes")
                    }
                    position = 0
                    lineBase = 0
                    continue
                }
                let errorLine = lineAt(min(error.offset, input.count))
                throw .brokenJSONDocument(
                    file: input.path, line: errorLine, column: column(of: error.offset), detail: error.message)
            }
        }
    }

    /// Walks from the document's start to the first byte inside the record array.
    private func findRecords() throws(ImportError) {
        let path = recordsPath
        let file = input.path
        let found: Bool = try withCompleteValue { scanner throws(JSONSyntaxError) -> Bool in
            for component in path {
                guard scanner.peek() == UInt8(ascii: "{") else { return false }
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
            guard scanner.peek() == UInt8(ascii: "[") else { return false }
            scanner.index += 1
            return true
        }
        if !found {
            throw .recordsPathNotFound(
                file: file, path: path.joined(separator: "."), detail: "the document has no array there")
        }
    }

    /// Checks that the rest of the document, after the record array, is well-formed.
    private func finishDocument() throws(ImportError) {
        let depth = recordsPath.count
        try withCompleteValue { scanner throws(JSONSyntaxError) in
            for _ in 0..<depth {
                while scanner.peek() == UInt8(ascii: ",") {
                    scanner.index += 1
                    _ = try scanner.readString()
                    try scanner.expect(UInt8(ascii: ":"), "':' after the key")
                    try scanner.skipValue()
                }
                try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
            }
            if scanner.peek() != nil { throw scanner.error("the end of the document") }
        }
    }

    // MARK: - Lines

    /// The index up to which `line` is counted.
    private var lineBase = 0

    private func advance(to index: Int) {
        line = lineAt(index)
        lineBase = index
        position = index
    }

    private func lineAt(_ index: Int) -> Int {
        let bytes = input.bytes
        var count = line
        var i = lineBase
        while i < min(index, bytes.count) {
            if bytes[i] == 0x0A { count += 1 }
            i += 1
        }
        return count
    }

    private func column(of offset: Int) -> Int {
        let bytes = input.bytes
        var start = min(offset, bytes.count)
        while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        return TextPosition.of(offset: offset - start, in: UnsafeBufferPointer(rebasing: bytes[start...])).column
    }
}
