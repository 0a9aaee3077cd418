import ETLCore
import TestSupport
import Testing

@testable import ETLImport

#if canImport(Glibc)
    import Glibc
#endif

/// Regression tests for reader bugs found by review: chunk boundaries, GB18030 second bytes
/// equal to the delimiter, look-alike element names, short final tags, error columns after a
/// refill, and record limits.
@Suite struct ReaderRegressionTests {
    let directory = TemporaryDirectory()

    // MARK: - CSV

    /// `"abc"x` where the rest of the line crosses the 1 MiB chunk boundary traps
    /// ("Range requires lowerBound <= upperBound"): CSVReader.next builds the reject's raw text
    /// from `recordStart`, which `skipToLineEnd` made stale when it refilled the window.
    @Test func csvTextAfterQuoteWhoseLineCrossesTheChunkBoundary() throws {
        let target = Array("K1,\"abc\"x,\(String(repeating: "c", count: 300))\r\nK2,b,2\r\n".utf8)
        let (bytes, fillers) = Straddle.csv(prefix: Array("id,name,phone\r\n".utf8), target: target, split: 100)
        let items = try Read.items(directory.write("t.csv", bytes: bytes), format: .csv, spec: Specs.simple())
        #expect(items.rejects.map(\.reason) == [.textAfterClosingQuote(field: 2)])
        #expect(items.rejects.map(\.location.line) == [fillers + 2])
        #expect(items.records.last?.key == "K2")
        #expect(items.records.last?.location.line == fillers + 3)
    }

    /// Found by fuzzing (bench/fuzz csv): a bad last row with no line end traps ("Index out of
    /// range" in decodeLossy). At the end of the file `InputBuffer.refill` moves the window
    /// even though it adds no byte, and `skipToLineEnd` returned offsets from before the move.
    @Test func csvBadLastRowWithoutALineEndAtEveryChunkBoundary() throws {
        let text = "id,name,phone\nK1,a,1\nK2,\"b\"x,2"
        let path = directory.write("t.csv", bytes: Array(text.utf8))
        for chunkSize in 1...text.utf8.count {
            let items = try SmallChunks.items(path, format: .csv, spec: Specs.simple(), chunkSize: chunkSize)
            #expect(items.records.map(\.key) == ["K1"], "chunk size \(chunkSize)")
            #expect(items.rejects.map(\.reason) == [.textAfterClosingQuote(field: 2)], "chunk size \(chunkSize)")
            #expect(items.rejects.map(\.raw) == ["K2,\"b\"x,2"], "chunk size \(chunkSize)")
        }
    }

    /// The same fault on the other path: a last line longer than the largest window, with no
    /// line end, skipped as too large.
    @Test func csvOversizedLastLineWithoutALineEnd() throws {
        let text = "id,name,phone\nK1,a,1\nK2,\(String(repeating: "b", count: 10_000)),2"
        let path = directory.write("t.csv", bytes: Array(text.utf8))
        for chunkSize in [7, 512, 4096] {
            let items = try SmallChunks.items(
                path, format: .csv, spec: Specs.simple(maxRecordBytes: 4096), chunkSize: chunkSize)
            #expect(items.records.map(\.key) == ["K1"], "chunk size \(chunkSize)")
            #expect(items.rejects.map(\.reason) == [.recordTooLarge(limitBytes: 4096)], "chunk size \(chunkSize)")
        }
    }

    /// GB18030 trail bytes range over 0x40–0x7E, so a delimiter such as `|` (0x7C), which the
    /// pipeline accepts, can be the second byte of a character: 皘 is B0 7C. CSVReader.scan
    /// looks for the delimiter byte without skipping GB18030 trail bytes.
    @Test func csvGB18030TrailByteEqualToTheDelimiter() throws {
        let spec = Specs.simple(csv: CSVOptions(delimiter: UInt8(ascii: "|")))
        #expect(GB18030.encode("皘") == [0xB0, 0x7C])
        let path = directory.write("t.csv", bytes: GB18030.encode("id|name|phone\nK1|皘一|1\n"))
        let items = try Read.items(path, format: .csv, spec: spec, encoding: .gb18030)
        #expect(items.rejects.isEmpty)
        #expect(items.records.first?.fields.name == "皘一")
    }

    // MARK: - XML

    /// `</personType>` inside a `<person>` is taken for the record's end tag:
    /// XMLRecordReader.findRecordEnd checks `matchesName` after `</` but not that the name ends
    /// there (`>` or whitespace next).
    @Test func xmlChildWhoseNameStartsWithTheRecordName() throws {
        let text = XMLReaderTests.document([
            "  <person>\n    <insuredId>K1</insuredId>\n    <personType>A</personType>\n    <name>x</name>\n  </person>\n",
            XMLReaderTests.person("K2"),
        ])
        var spec = XMLReaderTests.spec
        spec.payload = ["personType"]
        let path = directory.write("t.xml", text)
        let items = try Read.items(path, format: .xml, spec: spec)
        #expect(items.rejects.isEmpty)
        #expect(items.records.map(\.key) == ["K1", "K2"])
        #expect(items.records.first?.payload("personType") == "A")
        #expect(items.records.first?.fields.name == "x")
    }

    /// A well-formed file whose last tag is shorter than `<` + the record element name + 1
    /// byte (`</r>` with record element `person`) fails as "the file ends inside a tag":
    /// XMLRecordReader.markup asks isRecordStartTag, which returns nil (need more bytes) when
    /// fewer than name + 2 bytes are left, and at the end of the file that is taken as a cut-off tag.
    @Test(arguments: ["</r>\n", "</r>", "</ex>"])
    func xmlShortClosingTagAtTheEndOfTheFile(tail: String) throws {
        let text =
            "<?xml version=\"1.0\"?>\n<\(tail.dropFirst(2).prefix { $0 != ">" })>\n"
            + XMLReaderTests.person("K1") + tail
        let path = directory.write("t.xml", text)
        let items = try Read.items(path, format: .xml, spec: XMLReaderTests.spec)
        #expect(items.records.map(\.key) == ["K1"])
    }

    // MARK: - JSON document

    /// When the 1 MiB chunk ends right before the records array's `[` (or before the `{` of
    /// a nested path component), JSONDocumentReader.findRecords sees `peek() == nil` and
    /// returns false ("no array there") instead of reading more.
    @Test(arguments: [["records"], ["data", "records"]])
    func jsonRecordsArrayRightAfterTheChunkBoundary(path: [String]) throws {
        let head = "{\"pad\": \""
        let tail = path == ["records"] ? "\", \"records\": " : "\", \"data\": "
        let pad = String(repeating: "a", count: Straddle.chunk - head.utf8.count - tail.utf8.count)
        let rest = path == ["records"] ? "[{\"caseNo\": \"K1\"}]}" : "{\"records\": [{\"caseNo\": \"K1\"}]}}"
        let text = head + pad + tail + rest
        var spec = JSONReaderTests.spec
        spec.jsonRecordsPath = path
        let file = directory.write("t.json", text)
        let items = try Read.items(file, format: .json, spec: spec)
        #expect(items.records.map(\.key) == ["K1"])
    }

    /// Text after the document is not noticed when the 1 MiB chunk ends right after the
    /// closing `}` (or in whitespace after it): JSONDocumentReader.finishDocument takes
    /// `peek() == nil` (the end of the window) for the end of the file.
    @Test(arguments: ["x", "\n x", "{}"])
    func jsonTextAfterTheDocumentAtTheChunkBoundary(garbage: String) {
        let head = "{\"records\": [{\"caseNo\": \"K1\", \"name\": \""
        let tail = "\"}]}"
        let pad = String(repeating: "a", count: Straddle.chunk - head.utf8.count - tail.utf8.count)
        let path = directory.write("t.json", head + pad + tail + garbage)
        let error = Read.error(path, format: .json, spec: JSONReaderTests.spec)
        guard case .brokenJSONDocument? = error else {
            Issue.record("expected a broken document, got \(String(describing: error))")
            return
        }
    }

    /// The column of a syntax error near the end of the window is counted from the start of
    /// the refilled window, not from the start of the line: JSONDocumentReader.withCompleteValue
    /// refills keeping only from `position`, and `column(of:)` scans back only to the window
    /// start. Every error at the end of a truncated file is affected.
    @Test(arguments: [
        ("{\"records\": [{\"caseNo\": \"K1\"}]}}", 1, 32),
        ("{\"records\": [{\"caseNo\": \"K1\"}", 1, 30),
        ("{\"records\": [{\"caseNo\": \"K\u{01}1\"}]}", 1, 27),
    ])
    func jsonErrorColumnAfterARefill(text: String, line: Int, column: Int) {
        let error = Read.error(directory.write("t.json", text), format: .json, spec: JSONReaderTests.spec)
        guard case .brokenJSONDocument(_, let foundLine, let foundColumn, _)? = error else {
            Issue.record("expected a broken document, got \(String(describing: error))")
            return
        }
        #expect(foundLine == line)
        #expect(foundColumn == column)
    }

    /// The README says a record larger than `maxRecordBytes` is rejected and the rest of the
    /// file imported, for every format; the JSON document reader fails the whole file with
    /// brokenJSONDocument("a record larger than the limit …") instead.
    @Test func jsonDocumentRecordLargerThanTheLimit() throws {
        let long = String(repeating: "a", count: 3 << 19)
        let text = "{\"records\": [\n{\"id\": \"K0\"},\n{\"id\": \"K1\", \"name\": \"\(long)\"},\n{\"id\": \"K2\"}]}\n"
        let path = directory.write("t.json", text)
        let items = try Read.items(path, format: .json, spec: RecordLimitTests.spec)
        #expect(items.rejects.map(\.reason) == [.recordTooLarge(limitBytes: 1 << 20)])
        #expect(items.records.map(\.key) == ["K0", "K2"])
    }

    // MARK: - Limits

    /// `maxRecordBytes` below 1 MiB (the pipeline accepts 4096 and up) has no effect:
    /// InputBuffer.init sets `maxCapacity = max(maxCapacity, chunkSize)`, so a 10 KB record
    /// passes a 4096-byte limit.
    @Test(arguments: [SourceFormat.csv, .xml, .jsonl])
    func recordLimitBelowTheChunkSize(format: SourceFormat) throws {
        let long = String(repeating: "a", count: 10_000)
        let text: String
        switch format {
        case .csv: text = "id,name\nK1,\(long)\nK2,b\n"
        case .xml: text = "<export>\n<r><id>K1</id><name>\(long)</name></r>\n<r><id>K2</id></r>\n</export>\n"
        default: text = "{\"id\": \"K1\", \"name\": \"\(long)\"}\n{\"id\": \"K2\"}\n"
        }
        var spec = RecordLimitTests.spec
        spec.maxRecordBytes = 4096
        let items = try Read.items(directory.write("t", text), format: format, spec: spec)
        #expect(items.records.last?.key == "K2")
        #expect(items.first?.reject?.reason == .recordTooLarge(limitBytes: 4096))
    }
}
