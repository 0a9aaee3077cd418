import ETLCore
import TestSupport
import Testing

@testable import ETLImport

/// JSON documents: records streamed from the array at the records path.
@Suite struct JSONReaderTests {
    let directory = TemporaryDirectory()

    static let spec = SourceSpec(
        name: "test", key: "caseNo",
        fields: [
            .name: FieldMapping(sources: ["name"]), .phone: FieldMapping(sources: ["mobile"]),
            .sex: FieldMapping(sources: ["gender"]),
        ],
        sexValues: ["M": .male, "F": .female], payload: ["size", "extra"])

    private func read(_ text: String, path: [String] = ["records"]) throws -> [ImportItem] {
        var spec = Self.spec
        spec.jsonRecordsPath = path
        return try Read.items(directory.write("t.json", text), format: .json, spec: spec)
    }

    private func read(bytes: [UInt8]) throws -> [ImportItem] {
        try Read.items(directory.write("t.json", bytes: bytes), format: .json, spec: Self.spec)
    }

    private func error(_ text: String, path: [String] = ["records"]) -> ImportError? {
        do {
            _ = try read(text, path: path)
            return nil
        } catch let error as ImportError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func recordsUnderRecords() throws {
        let text = """
            {
              "exportedAt": "2026-01-01T00:00:00+08:00",
              "count": 2,
              "records": [
                {"caseNo": "K1", "name": "名甲", "gender": "M", "mobile": "000-0001", "size": 3},
                {
                  "caseNo": "K2",
                  "name": "名乙",
                  "gender": "F"
                }
              ],
              "trailer": {"ok": [true, null]}
            }

            """
        let items = try read(text)
        #expect(items.rejects.isEmpty)
        let records = items.records
        try #require(records.count == 2)
        #expect(records.map(\.key) == ["K1", "K2"])
        #expect(records.map(\.fields.name) == ["名甲", "名乙"])
        #expect(records.map(\.sexCode) == [.male, .female])
        #expect(records[0].fields.phone == "000-0001")
        #expect(records.map(\.location.line) == [5, 6])
        #expect(records.map(\.location.recordIndex) == [1, 2])
        let firstRecordOffset = text.utf8.count - text.drop { $0 != "[" }.dropFirst().drop { $0 != "{" }.utf8.count
        #expect(records[0].location.byteOffset == firstRecordOffset)
    }

    @Test func nestedRecordsPath() throws {
        let text = """
            {"meta": {"records": [{"caseNo": "WRONG"}]},
             "data": {"count": 1, "records": [{"caseNo": "K1"}, {"caseNo": "K2"}], "after": "x"},
             "tail": [1, 2]}
            """
        let items = try read(text, path: ["data", "records"])
        #expect(items.records.map(\.key) == ["K1", "K2"])
        #expect(items.records.map(\.location.line) == [2, 2])
    }

    @Test func emptyRecordArray() throws {
        #expect(try read("{\"records\": []}").isEmpty)
        #expect(try read("{\"records\": [ \n ], \"n\": 0}\n").isEmpty)
    }

    @Test(arguments: [
        ("\"N/A\"", "a string"), ("[1, 2]", "an array"), ("42", "a number"), ("null", "null"), ("true", "a boolean"),
        ("-1.5e3", "a number"),
    ])
    func nonObjectElementIsRejected(element: String, found: String) throws {
        let text = "{\"records\": [\n{\"caseNo\": \"K1\"},\n\(element),\n{\"caseNo\": \"K3\"}\n]}\n"
        let items = try read(text)
        try #require(items.count == 3)
        let reject = try #require(items[1].reject)
        #expect(reject.reason == .notAnObject(found: found))
        #expect(reject.location.line == 3)
        #expect(reject.location.recordIndex == 2)
        #expect(items.records.map(\.key) == ["K1", "K3"])
        #expect(items[2].record?.location.recordIndex == 3)
    }

    @Test func nullsEmptyStringsAndMissingKeysAreUnknown() throws {
        let text = """
            {"records": [
              {"caseNo": "K1", "name": null, "mobile": "", "size": null},
              {"caseNo": "K2"},
              {"caseNo": null, "name": "x"},
              {"name": "y"},
              {"caseNo": ""}
            ]}
            """
        let items = try read(text)
        try #require(items.count == 5)
        for record in items.records {
            #expect(record.fields.name == nil)
            #expect(record.fields.phone == nil)
            #expect(record.payload.map(\.value) == [nil, nil])
        }
        #expect(items.records.map(\.key) == ["K1", "K2"])
        #expect(items.rejects.map(\.reason) == Array(repeating: .missingRecordKey(field: "caseNo"), count: 3))
        #expect(items.rejects.map(\.location.line) == [4, 5, 6])
    }

    @Test func numbersBooleansAndNestedValuesAreKeptAsWritten() throws {
        let text =
            #"{"records": [{"caseNo": 1200, "mobile": 1.50e3, "name": true, "size": -0.0, "extra": {"a": [1, "b"]}}]}"#
        let record = try #require(try read(text).first?.record)
        #expect(record.key == "1200")
        #expect(record.fields.phone == "1.50e3")
        #expect(record.fields.name == "true")
        #expect(record.payload("size") == "-0.0")
        #expect(record.payload("extra") == #"{"a": [1, "b"]}"#)
    }

    @Test func escapesAreDecoded() throws {
        let text =
            #"{"records": [{"caseNo": "K\u0031", "name": "\u6d4b\u8bd5 \ud869\udea5", "mobile": "a\"b\\c\/d\te"}]}"#
        let record = try #require(try read(text).first?.record)
        #expect(record.key == "K1")
        #expect(record.fields.name == "测试 𪚥")
        #expect(record.fields.phone == "a\"b\\c/d\te")
    }

    @Test func escapedKeysAreMatched() throws {
        let text = #"{"records": [{"case\u004eo": "K1", "n\u0061me": "x"}]}"#
        let record = try #require(try read(text).first?.record)
        #expect(record.key == "K1")
        #expect(record.fields.name == "x")
    }

    @Test func duplicateKeysAreOrdinaryRecordsAtTheReaderLevel() throws {
        // Duplicate record keys are rejected by the store, not the reader.
        let items = try read(#"{"records": [{"caseNo": "K1"}, {"caseNo": "K1"}]}"#)
        #expect(items.records.map(\.key) == ["K1", "K1"])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let items = try read(bytes: [0xEF, 0xBB, 0xBF] + Array(#"{"records": [{"caseNo": "K1"}]}"#.utf8))
        #expect(items.records.map(\.key) == ["K1"])
    }

    // MARK: - Broken documents

    @Test(
        arguments: [
            // A record with a missing comma (line 3, the column of `"name"`).
            (
                "{\"records\": [\n  {\"caseNo\": \"K1\"},\n  {\"caseNo\": \"K2\" \"name\": \"x\"},\n  {\"caseNo\": \"K3\"}\n]}\n",
                3, 19
            ),
            // Two records without a comma between them.
            ("{\"records\": [\n  {\"caseNo\": \"K1\"}\n  {\"caseNo\": \"K2\"}\n]}\n", 3, 3),
            // A missing comma after other records on the same line.
            ("{\"records\": [\n  {\"caseNo\": \"K1\"}, {\"caseNo\": \"K2\"} {\"caseNo\": \"K3\"}]}", 2, 38),
            // A trailing comma in the array.
            ("{\"records\": [\n  {\"caseNo\": \"K1\"},\n]}\n", 3, 1),
            // Text after the document.
            ("{\"records\": [{\"caseNo\": \"K1\"}]}\nx\n", 2, 1),
            // A bad value after the array.
            ("{\"records\": [{\"caseNo\": \"K1\"}],\n \"tail\": tru}", 2, 10),
            // A bad value before the array.
            ("{\"head\": [1,,2],\n \"records\": []}", 1, 13),
            // Cut off inside a record.
            ("{\"records\": [\n{\"caseNo\": \"K1\"},\n{\"caseNo\": \"K", 3, 14),
            // The document never closes.
            ("{\"records\": [{\"caseNo\": \"K1\"}]\n", 2, 1),
            // A control character inside a string.
            ("{\"records\": [\n{\"caseNo\": \"K\u{01}1\"}]}", 2, 14),
        ] as [(String, Int, Int)])
    func syntaxErrorBreaksTheDocument(text: String, line: Int, column: Int) {
        let error = error(text)
        guard case .brokenJSONDocument(file: "test", let foundLine, let foundColumn, let detail)? = error else {
            Issue.record("expected a broken document, got \(String(describing: error))")
            return
        }
        #expect(foundLine == line)
        #expect(foundColumn == column)
        #expect(!detail.isEmpty)
    }

    @Test(
        arguments: [
            (#"{"data": []}"#, ["records"]),
            (#"{"records": {"a": 1}}"#, ["records"]),
            (#"{"records": "x"}"#, ["records"]),
            (#"[{"caseNo": "K1"}]"#, ["records"]),
            (#"{"data": {"items": []}}"#, ["data", "records"]),
            (#"{"data": [], "records": []}"#, ["data", "records"]),
        ] as [(String, [String])])
    func missingRecordsPath(text: String, path: [String]) {
        let error = error(text, path: path)
        guard case .recordsPathNotFound(file: "test", path: path.joined(separator: "."), _)? = error else {
            Issue.record("expected records path not found, got \(String(describing: error))")
            return
        }
    }

    @Test func anEmptyFileIsABrokenDocument() {
        guard case .brokenJSONDocument(file: "test", line: 1, column: 1, let detail)? = error("", path: ["records"])
        else {
            Issue.record("expected a broken document")
            return
        }
        #expect(detail.contains("found the end of the input"))
    }

    @Test func invalidUTF8InOneRecordRejectsOnlyThatRecord() throws {
        let before = Array("{\"records\": [\n{\"caseNo\": \"K1\"},\n{\"caseNo\": \"K2\", \"name\": \"a".utf8)
        let bytes =
            before + [0xFF] + Array("b\"},\n{\"caseNo\": \"K3\", \"other\": \"".utf8) + [0xC3, 0x28]
            + Array("\"},\n{\"caseNo\": \"K4\"}\n]}\n".utf8)
        let items = try read(bytes: bytes)
        try #require(items.count == 4)
        #expect(items.records.map(\.key) == ["K1", "K4"])
        let rejects = items.rejects
        try #require(rejects.count == 2)
        #expect(
            rejects[0].reason
                == .undecodableBytes(
                    encoding: "UTF-8", byteOffset: before.count, field: "a text value; JSON files must be UTF-8"))
        #expect(rejects[0].location.line == 3)
        guard case .undecodableBytes("UTF-8", _, _) = rejects[1].reason else {
            Issue.record("expected undecodable bytes, got \(rejects[1].reason)")
            return
        }
        #expect(rejects[1].location.line == 4, "a value in an unmapped field is checked too")
    }

    @Test func documentLargerThanTheChunkParsesEveryRecord() throws {
        // About 1.3 MiB: records straddle the 1 MiB boundary of the first chunk.
        var text = "{\"exportedAt\": \"x\",\n \"records\": [\n"
        var offsets: [Int] = []
        let count = 9000
        for index in 0..<count {
            offsets.append(text.utf8.count)
            let pad = String(repeating: "名", count: index % 61)
            text += "{\"caseNo\": \"K\(index)\", \"name\": \"\(pad)测\\u8bd5\", \"size\": \(index)}"
            text += index == count - 1 ? "\n" : ",\n"
        }
        text += "]}\n"
        #expect(text.utf8.count > Straddle.chunk + 100_000)
        let (records, rejects) = try Read.batch(directory.write("t.json", text), format: .json, spec: Self.spec)
        #expect(rejects.isEmpty)
        try #require(records.count == count)
        #expect(records.map(\.key) == (0..<count).map { "K\($0)" })
        #expect(records.map(\.location.line) == (0..<count).map { $0 + 3 })
        #expect(records.map(\.location.byteOffset) == offsets)
        #expect(records.map { $0.payload("size") } == (0..<count).map { "\($0)" })
        #expect(records.allSatisfy { $0.fields.name?.hasSuffix("测试") == true })
    }

    @Test func syntaxErrorAfterTheChunkBoundaryHasTheRightLine() {
        var text = "{\"records\": [\n"
        var line = 2
        while text.utf8.count < Straddle.chunk + 5000 {
            text += "{\"caseNo\": \"K\(line)\", \"name\": \"\(String(repeating: "a", count: 200))\"},\n"
            line += 1
        }
        text += "{\"caseNo\": \"K\(line)\" \"name\": \"x\"}\n]}\n"
        let error = error(text)
        guard case .brokenJSONDocument(_, let foundLine, let column, _)? = error else {
            Issue.record("expected a broken document, got \(String(describing: error))")
            return
        }
        #expect(foundLine == line)
        #expect(column == 14 + "\(line)".count + 2)
    }
}

/// JSON Lines: one record per line; a bad line rejects only itself.
@Suite struct JSONLinesReaderTests {
    let directory = TemporaryDirectory()

    private func read(_ text: String) throws -> [ImportItem] {
        try Read.items(directory.write("t.jsonl", text), format: .jsonl, spec: JSONReaderTests.spec)
    }

    private func read(bytes: [UInt8]) throws -> [ImportItem] {
        try Read.items(directory.write("t.jsonl", bytes: bytes), format: .jsonl, spec: JSONReaderTests.spec)
    }

    @Test func invalidAndNonObjectLinesAreRejected() throws {
        let text = """
            {"caseNo": "K1", "name": "名甲"}
            {"caseNo": "K2", "name": "名乙"
            [1, 2]
            {"caseNo": "K4"} trailing
            "text"
            {"caseNo": "K6", "gender": "F"}

            """
        let items = try read(text)
        try #require(items.count == 6)
        #expect(items.records.map(\.key) == ["K1", "K6"])
        #expect(items.records.map(\.location.line) == [1, 6])
        #expect(items.records.last?.sexCode == .female)
        let rejects = items.rejects
        try #require(rejects.count == 4)
        #expect(rejects.map(\.location.line) == [2, 3, 4, 5])
        guard case .invalidJSON = rejects[0].reason else {
            Issue.record("expected invalid JSON, got \(rejects[0].reason)")
            return
        }
        #expect(rejects[1].reason == .notAnObject(found: "an array"))
        guard case .invalidJSON = rejects[2].reason else {
            Issue.record("expected invalid JSON for trailing text, got \(rejects[2].reason)")
            return
        }
        #expect(rejects[3].reason == .notAnObject(found: "a string"))
        // The key is found in the text of a line that is not valid JSON, when it is plain.
        #expect(rejects.map(\.recordKey) == ["K2", nil, "K4", nil])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let items = try read("\n{\"caseNo\": \"K1\"}\n\n  \t\n\r\n{\"caseNo\": \"K2\"}\n\n")
        #expect(items.count == 2)
        #expect(items.records.map(\.location.line) == [2, 6])
        #expect(items.records.map(\.location.recordIndex) == [1, 2])
    }

    @Test(arguments: ["\n", "\r\n"], [true, false])
    func lineEndsAndTheLastLine(lineEnd: String, finalLineEnd: Bool) throws {
        let text =
            ["{\"caseNo\": \"K1\", \"mobile\": \"1\"}", "{\"caseNo\": \"K2\", \"mobile\": \"2\"}"]
            .joined(separator: lineEnd) + (finalLineEnd ? lineEnd : "")
        let items = try read(text)
        #expect(items.rejects.isEmpty)
        #expect(items.records.map(\.key) == ["K1", "K2"])
        #expect(items.records.map(\.fields.phone) == ["1", "2"])
        #expect(items.records.map(\.location.line) == [1, 2])
    }

    @Test func invalidLastLineWithoutNewlineIsRejected() throws {
        let items = try read("{\"caseNo\": \"K1\"}\n{\"caseNo\": ")
        #expect(items.records.map(\.key) == ["K1"])
        #expect(items.rejects.map(\.location.line) == [2])
    }

    @Test func invalidUTF8RejectsOnlyItsLine() throws {
        let before = Array("{\"caseNo\": \"K1\"}\n{\"caseNo\": \"K2\", \"name\": \"a".utf8)
        let bytes = before + [0xE6, 0xB5] + Array("\"}\n{\"caseNo\": \"K3\"}\n".utf8)
        let items = try read(bytes: bytes)
        try #require(items.count == 3)
        #expect(
            items[1].reject?.reason
                == .undecodableBytes(
                    encoding: "UTF-8", byteOffset: before.count, field: "a text value; JSON files must be UTF-8"))
        #expect(items[1].reject?.location.line == 2)
        #expect(items.records.map(\.key) == ["K1", "K3"])
    }

    @Test func missingKeyIsRejected() throws {
        let items = try read("{\"name\": \"x\"}\n{\"caseNo\": null}\n{\"caseNo\": \"K3\"}\n")
        #expect(items.rejects.map(\.reason) == Array(repeating: .missingRecordKey(field: "caseNo"), count: 2))
        #expect(items.records.map(\.key) == ["K3"])
    }

    @Test func linesAcrossTheChunkBoundary() throws {
        var text = ""
        var expected: [(String, Int)] = []
        var index = 0
        while text.utf8.count < Straddle.chunk + 50_000 {
            expected.append(("K\(index)", text.utf8.count))
            text += "{\"caseNo\": \"K\(index)\", \"name\": \"\(String(repeating: "测", count: index % 50))\"}\r\n"
            index += 1
        }
        let (records, rejects) = try Read.batch(
            directory.write("t.jsonl", text), format: .jsonl, spec: JSONReaderTests.spec)
        #expect(rejects.isEmpty)
        try #require(records.count == expected.count)
        #expect(records.map(\.key) == expected.map(\.0))
        #expect(records.map(\.location.byteOffset) == expected.map(\.1))
        #expect(records.map(\.location.line) == Array(1...expected.count))
    }
}
