import ETLCore
import TestSupport
import Testing

@testable import ETLImport

/// RFC 4180 reading: quoting, line ends, bad rows and whole-file problems.
@Suite struct CSVReaderTests {
    let directory = TemporaryDirectory()

    private func read(_ text: String, spec: SourceSpec = Specs.simple()) throws -> [ImportItem] {
        try Read.items(directory.write("t.csv", text), format: .csv, spec: spec)
    }

    private func read(bytes: [UInt8], spec: SourceSpec = Specs.simple()) throws -> [ImportItem] {
        try Read.items(directory.write("t.csv", bytes: bytes), format: .csv, spec: spec)
    }

    private func error(_ text: String, spec: SourceSpec = Specs.simple()) -> ImportError? {
        Read.error(directory.write("t.csv", text), format: .csv, spec: spec)
    }

    // MARK: - Quoting

    @Test func quotedDelimitersAndDoubledQuotes() throws {
        let items = try read("id,name,phone\nK1,\"a,b\",\"1\"\"2\"\nK2,\"say \"\"hi\"\"\",\"\"\n")
        #expect(items.rejects.isEmpty)
        let records = items.records
        try #require(records.count == 2)
        #expect(records[0].key == "K1")
        #expect(records[0].fields.name == "a,b")
        #expect(records[0].fields.phone == "1\"2")
        #expect(records[1].fields.name == "say \"hi\"")
        #expect(records[1].fields.phone == nil, "a quoted empty field is unknown")
    }

    @Test(arguments: ["\n", "\r\n"])
    func lineBreakInsideQuotesIsOneRecordAtItsFirstLine(innerBreak: String) throws {
        let items = try read("id,name,phone\r\nK1,\"first\(innerBreak)second\",1\r\nK2,b,2\r\n")
        #expect(items.rejects.isEmpty)
        let records = items.records
        try #require(records.count == 2)
        #expect(records[0].fields.name == "first\(innerBreak)second")
        #expect(records[0].fields.phone == "1")
        #expect(records[0].location.line == 2)
        #expect(records[1].key == "K2")
        #expect(records[1].location.line == 4)
        #expect(records.map(\.location.recordIndex) == [1, 2])
    }

    @Test(arguments: ["\r\n", "\n", "\r"], [true, false])
    func lineEnds(lineEnd: String, finalLineEnd: Bool) throws {
        let text = ["id,name,phone", "K1,a,1", "K2,b,2"].joined(separator: lineEnd) + (finalLineEnd ? lineEnd : "")
        let items = try read(text)
        #expect(items.rejects.isEmpty)
        let records = items.records
        #expect(records.map(\.key) == ["K1", "K2"], "a final line end must not create an empty record")
        #expect(records.map(\.fields.phone) == ["1", "2"], "no line-end byte may stay in the last field")
        #expect(records.map(\.location.line) == [2, 3])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let items = try read("id,name,phone\n\nK1,a,1\r\n\r\n\nK2,b,2\n\n\n")
        #expect(items.count == 2)
        let records = items.records
        #expect(records.map(\.key) == ["K1", "K2"])
        #expect(records.map(\.location.line) == [3, 6])
        #expect(records.map(\.location.recordIndex) == [1, 2])
    }

    @Test func headerOnlyFileHasNoRecords() throws {
        #expect(try read("id,name,phone\r\n").isEmpty)
        #expect(try read("id,name,phone").isEmpty)
    }

    @Test func utf8ByteOrderMarkIsStrippedFromTheFirstHeader() throws {
        let items = try read(bytes: [0xEF, 0xBB, 0xBF] + Array("id,name,phone\nK1,a,1\n".utf8))
        let record = try #require(items.first?.record)
        #expect(record.key == "K1")
        #expect(record.location.line == 2)
        #expect(record.location.byteOffset == 17, "offsets count the mark: 3 + 14 header bytes")
    }

    @Test func byteOffsetsAreAbsolute() throws {
        let items = try read("id,name,phone\nK1,\"a\nb\",1\r\nK2,b,2\n")
        #expect(items.records.map(\.location.byteOffset) == [14, 14 + 12])
    }

    @Test func tabDelimiter() throws {
        let spec = Specs.simple(csv: CSVOptions(delimiter: 0x09))
        let items = try read("id\tname\tphone\nK1\ta,b\t\"1\t2\"\n", spec: spec)
        let record = try #require(items.first?.record)
        #expect(items.count == 1)
        #expect(record.fields.name == "a,b")
        #expect(record.fields.phone == "1\t2")
    }

    @Test func semicolonDelimiterKeepsCommas() throws {
        let spec = Specs.simple(csv: CSVOptions(delimiter: UInt8(ascii: ";")))
        let record = try #require(try read("id;name;phone\nK1;a,b;1\n", spec: spec).first?.record)
        #expect(record.fields.name == "a,b")
    }

    @Test func columnsAreFoundByNameInAnyOrder() throws {
        let items = try read("extra,phone,name,id\nx,1,a,K1\n")
        let record = try #require(items.first?.record)
        #expect(record.key == "K1")
        #expect(record.fields.name == "a")
        #expect(record.fields.phone == "1")
    }

    @Test func batchReadingRespectsMaxItems() throws {
        let rows = (1...10).map { "K\($0),n,\($0)" } + ["K11,bad"]
        let path = directory.write("t.csv", "id,name,phone\n" + rows.joined(separator: "\n") + "\n")
        let stream = try RecordStream(
            path: path, displayName: "test", format: .csv, spec: Specs.simple(), encoding: .utf8)
        var sizes: [Int] = []
        var keys: [String] = []
        while true {
            var batch = RowBatch(file: "test")
            guard try stream.read(into: &batch, maxItems: 4) else { break }
            sizes.append(batch.count + batch.rejects.count)
            keys += (0..<batch.count).map { batch.record(row: $0, payloadFields: []).key }
        }
        #expect(sizes == [4, 4, 3])
        #expect(keys == (1...10).map { "K\($0)" })
        var after = RowBatch(file: "test")
        #expect(try stream.read(into: &after, maxItems: 4) == false)
        #expect(try stream.next() == nil)
    }

    // MARK: - Bad rows

    @Test(arguments: [("K1,a", 2), ("K1,a,1,extra", 4), ("K1", 1)])
    func wrongFieldCount(row: String, found: Int) throws {
        let items = try read("id,name,phone\nK0,\"z\nz\",0\n\(row)\nK2,b,2\n")
        #expect(items.count == 3)
        let reject = try #require(items.rejects.first)
        #expect(reject.reason == .wrongFieldCount(found: found, expected: 3))
        // Where the key column is cannot be told: a field too many or too few may be before it.
        #expect(reject.recordKey == nil)
        #expect(reject.location.line == 4)
        #expect(reject.location.recordIndex == 2)
        #expect(items.records.map(\.key) == ["K0", "K2"])
        #expect(items.records.last?.location.line == 5)
    }

    @Test(arguments: [("K1,\"abc\"x,1", 2), ("\"K1\" ,a,1", 1), ("K1,a,\"1\"\"\"2", 3)])
    func textAfterClosingQuote(row: String, field: Int) throws {
        let items = try read("id,name,phone\n\(row)\nK2,b,2\n")
        try #require(items.count == 2)
        let reject = try #require(items[0].reject)
        #expect(reject.reason == .textAfterClosingQuote(field: field))
        // The key is read when the broken field comes after it.
        #expect(reject.recordKey == (field > 1 ? "K1" : nil))
        #expect(reject.location.line == 2)
        #expect(items[1].record?.key == "K2")
        #expect(items[1].record?.location.line == 3)
    }

    @Test(arguments: ["\n", "\r\n"])
    func unclosedQuoteStopsAtTheLineLimitAndResumesAfterTheFirstLine(lineEnd: String) throws {
        let spec = Specs.simple(csv: CSVOptions(maxQuotedFieldLines: 2))
        let lines = ["id,name,phone", "K1,\"open,1", "K2,b,2", "K3,c,3", "K4,d,4", "K5,e,5"]
        let items = try read(lines.joined(separator: lineEnd) + lineEnd, spec: spec)
        try #require(items.count == 5)
        let reject = try #require(items[0].reject)
        #expect(reject.location.line == 2)
        guard case .unclosedQuote(let field, let limit, let resumedAtLine) = reject.reason else {
            Issue.record("expected an unclosed quote, got \(reject.reason)")
            return
        }
        #expect(field == 2)
        #expect(reject.recordKey == "K1")
        #expect(limit.contains("2 lines"))
        #expect(resumedAtLine == 3)
        #expect(items.records.map(\.key) == ["K2", "K3", "K4", "K5"])
        #expect(items.records.map(\.location.line) == [3, 4, 5, 6])
    }

    @Test func unclosedQuoteStopsAtTheByteLimit() throws {
        let spec = Specs.simple(csv: CSVOptions(maxQuotedFieldBytes: 16))
        let long = String(repeating: "a", count: 40)
        let items = try read("id,name,phone\nK1,\"\(long),1\nK2,b,2\n", spec: spec)
        try #require(items.count == 2)
        let reject = try #require(items[0].reject)
        guard case .unclosedQuote(2, let limit, 3) = reject.reason else {
            Issue.record("expected an unclosed quote in field 2 resuming at line 3, got \(reject.reason)")
            return
        }
        #expect(limit.contains("16 bytes"))
        #expect(items[1].record?.key == "K2")
    }

    @Test(arguments: [true, false])
    func unclosedQuoteAtTheEndOfTheFile(finalNewline: Bool) throws {
        let items = try read("id,name,phone\nK0,z,0\nK1,\"open,1\nK2,b,2\nK3,c,3" + (finalNewline ? "\n" : ""))
        try #require(items.count == 4)
        #expect(items[0].record?.key == "K0")
        let reject = try #require(items[1].reject)
        #expect(reject.location.line == 3)
        guard case .unclosedQuote(2, _, 4) = reject.reason else {
            Issue.record("expected an unclosed quote in field 2 resuming at line 4, got \(reject.reason)")
            return
        }
        #expect(items.records.map(\.key) == ["K0", "K2", "K3"])
        #expect(items.records.map(\.location.line) == [2, 4, 5])
    }

    @Test(arguments: [",a,1", "\"\",a,1"])
    func emptyKeyIsRejected(row: String) throws {
        let items = try read("id,name,phone\n\(row)\nK2,b,2\n")
        try #require(items.count == 2)
        let reject = try #require(items[0].reject)
        #expect(reject.reason == .missingRecordKey(field: "id"))
        #expect(reject.location.line == 2)
        #expect(items[1].record?.key == "K2")
    }

    // MARK: - Whole-file problems

    @Test func missingColumnSuggestsANearName() {
        #expect(error("id,nmae,phone\nK1,a,1\n") == .missingColumn(file: "test", column: "name", suggestion: "nmae"))
    }

    @Test func missingColumnWithoutNearName() {
        #expect(error("id,zzzzzz,phone\n") == .missingColumn(file: "test", column: "name", suggestion: nil))
    }

    @Test func everyMissingColumnIsNamedAtOnce() {
        let found = error("id,nmae,phon\nK1,a,1\n")
        #expect(
            found
                == .missingColumn(
                    file: "test", column: "name", suggestion: "nmae",
                    alsoMissing: [MissingColumn(column: "phone", suggestion: "phon")]))
        #expect(
            found?.description
                == "test has none of the columns 'name' (the header has 'nmae', is that it?), 'phone' (the header has 'phon', is that it?)"
        )
    }

    @Test(arguments: [
        ("name ", "with a space at its end"), ("\u{FEFF}name", "with a byte-order mark (U+FEFF) at its start"),
        ("na\u{3000}me", "with a full-width space (U+3000) inside it"),
    ])
    func aNearNameThatDiffersOnlyInWhatCannotBeSeenSaysWhat(header: String, says: String) throws {
        let found = try #require(error("id,\(header),phone\nK1,a,1\n"))
        #expect(found.description.contains("'name' (the header has '\(header)' \(says): remove it"), "\(found)")
    }

    @Test func missingKeyColumn() {
        let spec = Specs.simple(key: "编号")
        #expect(error("编码,name,phone\n", spec: spec) == .missingColumn(file: "test", column: "编号", suggestion: "编码"))
    }

    @Test(arguments: [[], [0xEF, 0xBB, 0xBF]] as [[UInt8]])
    func emptyFileHasNoHeader(bytes: [UInt8]) {
        let path = directory.write("t.csv", bytes: bytes)
        #expect(Read.error(path, format: .csv, spec: Specs.simple()) == .missingHeader(file: "test"))
    }

    @Test func unreadableFile() {
        let error = Read.error(directory.file("absent.csv"), format: .csv, spec: Specs.simple())
        guard case .cannotRead(file: "test", _)? = error else {
            Issue.record("expected cannotRead, got \(String(describing: error))")
            return
        }
    }

    // MARK: - The 1 MiB chunk boundary

    /// A quoted field with a delimiter, doubled quotes and a bare LF, then a CRLF, then a
    /// record after it: the chunk boundary falls before every byte of it in turn.
    static let straddlingTarget = Array("K1,\"ab,\"\"cd\"\"\nef\",1\r\nK2,x,2\r\n".utf8)

    @Test(arguments: 0...straddlingTarget.count)
    func recordStraddlingTheChunkBoundary(split: Int) throws {
        let header = Array("id,name,phone\r\n".utf8)
        let (bytes, fillers) = Straddle.csv(prefix: header, target: Self.straddlingTarget, split: split)
        let path = directory.write("t.csv", bytes: bytes)
        let (records, rejects) = try Read.batch(path, format: .csv, spec: Specs.simple())
        #expect(rejects.isEmpty)
        try #require(records.count == fillers + 2)
        let k1 = records[fillers]
        let k2 = records[fillers + 1]
        #expect(k1.key == "K1")
        #expect(k1.fields.name == "ab,\"cd\"\nef")
        #expect(k1.fields.phone == "1")
        #expect(k1.location.line == fillers + 2)
        #expect(k1.location.byteOffset == Straddle.chunk - split)
        #expect(k2.key == "K2")
        #expect(k2.fields.phone == "2")
        #expect(k2.location.line == fillers + 4, "a CRLF split by the boundary is one line end")
        #expect(k2.location.recordIndex == fillers + 2)
        #expect(records[fillers - 1].fields.phone == "0")
    }

    @Test(arguments: [0, 1, 2])
    func crlfRightAtTheBoundary(offset: Int) throws {
        // The CR is the last byte of the first chunk (offset 0), or the boundary is just before
        // or after the CRLF.
        let target = Array("K1,a,1\r\nK2,b,2\r\n".utf8)
        let split = 6 + offset  // index of the CR is 6
        let (bytes, fillers) = Straddle.csv(prefix: Array("id,name,phone\r\n".utf8), target: target, split: split)
        let (records, rejects) = try Read.batch(
            directory.write("t.csv", bytes: bytes), format: .csv, spec: Specs.simple())
        #expect(rejects.isEmpty)
        try #require(records.count == fillers + 2)
        #expect(records[fillers].fields.phone == "1")
        #expect(records[fillers + 1].key == "K2")
        #expect(records[fillers + 1].location.line == fillers + 3)
    }

    @Test func badRowsOnEitherSideOfTheBoundary() throws {
        let target = Array("K1,a\r\nK2,\"b\"x,2\r\nK3,c,3\r\n".utf8)
        let (bytes, fillers) = Straddle.csv(prefix: Array("id,name,phone\r\n".utf8), target: target, split: 3)
        let (records, rejects) = try Read.batch(
            directory.write("t.csv", bytes: bytes), format: .csv, spec: Specs.simple())
        #expect(rejects.map(\.reason) == [.wrongFieldCount(found: 2, expected: 3), .textAfterClosingQuote(field: 2)])
        #expect(rejects.map(\.location.line) == [fillers + 2, fillers + 3])
        #expect(records.last?.key == "K3")
        #expect(records.last?.location.line == fillers + 4)
    }
}
