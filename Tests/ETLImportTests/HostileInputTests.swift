import ETLCore
import TestSupport
import Testing

@testable import ETLImport

/// Hostile input (issue: hardening): every case is a clear reject or error, never a crash,
/// a hang or an allocation that grows with the input, and the records around it still load.
@Suite struct HostileInputTests {
    let directory = TemporaryDirectory()

    private func csv(_ rows: [[UInt8]], spec: SourceSpec = Specs.simple()) throws -> [ImportItem] {
        var bytes = Array("id,name,phone\n".utf8)
        for row in rows { bytes += row + [0x0A] }
        return try Read.items(directory.write("t.csv", bytes: bytes), format: .csv, spec: spec)
    }

    // MARK: - Size

    @Test func aCSVLineOf100MBIsRejectedAsTooLarge() throws {
        let huge = Array("K2,".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 100 << 20) + Array(",1".utf8)
        let items = try csv([Array("K1,a,1".utf8), huge, Array("K3,c,3".utf8)])
        #expect(items.records.map(\.key) == ["K1", "K3"])
        #expect(items.rejects.map(\.reason) == [.recordTooLarge(limitBytes: 16 << 20)])
        #expect(items.rejects.first?.raw.isEmpty == true)
    }

    @Test func aQuotedFieldOf100MBIsAQuoteThatNeverCloses() throws {
        let huge = Array("K2,\"".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 100 << 20) + Array("\",1".utf8)
        let items = try csv([Array("K1,a,1".utf8), huge, Array("K3,c,3".utf8)])
        #expect(items.records.map(\.key) == ["K1", "K3"])
        guard case .unclosedQuote(let field, let limit, _)? = items.rejects.first?.reason else {
            Issue.record("expected an unclosed-quote reject, got \(items.rejects)")
            return
        }
        #expect(field == 2)
        #expect(limit == "65536 bytes")
    }

    @Test func aJSONStringLargerThanTheRecordLimitIsRejected() throws {
        let huge = String(repeating: "a", count: 4 << 20)
        let text =
            "{\"id\":\"K1\",\"name\":\"a\"}\n{\"id\":\"K2\",\"name\":\"\(huge)\"}\n{\"id\":\"K3\",\"name\":\"c\"}\n"
        let path = directory.write("t.jsonl", bytes: Array(text.utf8))
        let items = try Read.items(path, format: .jsonl, spec: Specs.simple(maxRecordBytes: 1 << 20))
        #expect(items.records.map(\.key) == ["K1", "K3"])
        #expect(items.rejects.map(\.reason) == [.recordTooLarge(limitBytes: 1 << 20)])
    }

    // MARK: - Nesting

    @Test func jsonNested10000DeepIsRejected() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let text = "{\"id\":\"K1\",\"name\":\"a\"}\n{\"id\":\"K2\",\"name\":\(deep)}\n{\"id\":\"K3\",\"name\":\"c\"}\n"
        let items = try Read.items(
            directory.write("t.jsonl", bytes: Array(text.utf8)), format: .jsonl, spec: Specs.simple())
        #expect(items.records.map(\.key) == ["K1", "K3"])
        #expect(items.rejects.map(\.reason) == [.nestedTooDeep(limit: 32)])
    }

    @Test func aJSONDocumentRecordNestedDeeperThanTheLimitIsRejected() throws {
        let deep = String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 40)
        let text =
            "{\"records\":[{\"id\":\"K1\",\"name\":\"a\"},{\"id\":\"K2\",\"x\":\(deep)},{\"id\":\"K3\",\"name\":\"c\"}]}"
        let items = try Read.items(
            directory.write("t.json", bytes: Array(text.utf8)), format: .json, spec: Specs.simple())
        #expect(items.records.map(\.key) == ["K1", "K3"])
        #expect(items.rejects.map(\.reason) == [.nestedTooDeep(limit: 32)])
    }

    /// Nested beyond what can be skipped safely, the document's records cannot be told apart:
    /// the file fails with a clear error (and the source keeps its earlier records).
    @Test func aJSONDocumentNested10000DeepFailsTheFile() throws {
        let deep = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        let text = "{\"records\":[{\"id\":\"K1\",\"name\":\"a\"},\(deep),{\"id\":\"K3\",\"name\":\"c\"}]}"
        let error = Read.error(directory.write("t.json", bytes: Array(text.utf8)), format: .json, spec: Specs.simple())
        #expect(error?.description.contains("nested deeper than 512 levels") == true)
    }

    @Test func xmlNested10000DeepInsideARecordIsRejected() throws {
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        let text = """
            <r><record><id>K1</id><name>a</name></record>
            <record><id>K2</id><name>\(deep)</name></record>
            <record><id>K3</id><name>c</name></record></r>
            """
        let items = try Read.items(
            directory.write("t.xml", bytes: Array(text.utf8)), format: .xml, spec: Specs.simple())
        #expect(items.records.map(\.key) == ["K1", "K3"])
        #expect(items.rejects.map(\.reason) == [.nestedTooDeep(limit: 32)])
    }

    @Test func xmlNested10000DeepOutsideRecordsIsRead() throws {
        let open = String(repeating: "<a>", count: 10_000)
        let close = String(repeating: "</a>", count: 10_000)
        let text = "<r>\(open)<record><id>K1</id><name>a</name></record>\(close)</r>"
        let items = try Read.items(
            directory.write("t.xml", bytes: Array(text.utf8)), format: .xml, spec: Specs.simple())
        #expect(items.records.map(\.key) == ["K1"])
    }

    // MARK: - Entities

    @Test func billionLaughsIsNeverExpanded() throws {
        var entities = "<!ENTITY lol \"lol\">"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            entities += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">"
        }
        let text = """
            <?xml version="1.0"?>
            <!DOCTYPE r [\(entities)]>
            <r><record><id>K1</id><name>&lol9;</name></record><record><id>K2</id><name>b</name></record></r>
            """
        let items = try Read.items(
            directory.write("t.xml", bytes: Array(text.utf8)), format: .xml, spec: Specs.simple())
        #expect(items.records.map(\.key) == ["K2"])
        #expect(items.rejects.map(\.reason.category) == ["malformed XML element"])
        #expect(items.rejects.first?.raw.count ?? 0 < 200)
    }

    @Test func externalEntitiesAreNeverRead() throws {
        let secret = directory.write("secret.txt", bytes: Array("TOP-SECRET-VALUE".utf8))
        for entity in ["<!ENTITY x SYSTEM \"file://\(secret)\">", "<!ENTITY % p SYSTEM \"file://\(secret)\"> %p;"] {
            let text = """
                <?xml version="1.0"?>
                <!DOCTYPE r [\(entity)]>
                <r><record><id>K1</id><name>&x;</name></record><record><id>K2</id><name>b</name></record></r>
                """
            let items = try Read.items(
                directory.write("t.xml", bytes: Array(text.utf8)), format: .xml, spec: Specs.simple())
            #expect(items.records.map(\.key) == ["K2"])
            #expect(!items.records.contains { $0.fields.name?.contains("SECRET") == true })
            #expect(!items.rejects.contains { $0.raw.contains("SECRET") || $0.reason.description.contains("SECRET") })
        }
    }

    // MARK: - Bytes

    @Test(arguments: [
        ("a lone surrogate", [0xED, 0xA0, 0x80] as [UInt8]),
        ("an overlong slash", [0xC0, 0xAF]),
        ("an overlong NUL", [0xC0, 0x80]),
        ("a code point above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
    ])
    func invalidUTF8IsRejectedInEveryFormat(label: String, bytes: [UInt8]) throws {
        let csvItems = try csv([Array("K1,a".utf8) + bytes + Array("b,1".utf8), Array("K2,c,2".utf8)])
        #expect(csvItems.records.map(\.key) == ["K2"], "CSV: \(label)")
        #expect(csvItems.rejects.map(\.reason.category) == ["undecodable bytes"], "CSV: \(label)")

        let xml =
            Array("<r><record><id>K1</id><name>a".utf8) + bytes
            + Array("</name></record><record><id>K2</id><name>c</name></record></r>".utf8)
        let xmlItems = try Read.items(directory.write("t.xml", bytes: xml), format: .xml, spec: Specs.simple())
        #expect(xmlItems.records.map(\.key) == ["K2"], "XML: \(label)")
        #expect(xmlItems.rejects.count == 1, "XML: \(label)")

        let jsonl =
            Array("{\"id\":\"K1\",\"name\":\"a".utf8) + bytes + Array("\"}\n{\"id\":\"K2\",\"name\":\"c\"}\n".utf8)
        let jsonItems = try Read.items(directory.write("t.jsonl", bytes: jsonl), format: .jsonl, spec: Specs.simple())
        #expect(jsonItems.records.map(\.key) == ["K2"], "JSON Lines: \(label)")
        #expect(jsonItems.rejects.count == 1, "JSON Lines: \(label)")
    }

    @Test func aLoneSurrogateEscapeInJSONIsRejected() throws {
        let text = "{\"id\":\"K1\",\"name\":\"a\\ud800b\"}\n{\"id\":\"K2\",\"name\":\"c\"}\n"
        let items = try Read.items(
            directory.write("t.jsonl", bytes: Array(text.utf8)), format: .jsonl, spec: Specs.simple())
        #expect(items.records.map(\.key) == ["K2"])
        #expect(items.rejects.first?.reason.description.contains("surrogate") == true)
    }

    @Test func aNULByteInAFieldIsRejectedInEveryFormat() throws {
        let csvItems = try csv([Array("K1,a".utf8) + [0] + Array("b,1".utf8), Array("K2,c,2".utf8)])
        #expect(csvItems.records.map(\.key) == ["K2"])
        #expect(csvItems.rejects.map(\.reason) == [.nulByte(field: "name")])

        let xml =
            Array("<r><record><id>K1</id><name>a".utf8) + [0]
            + Array("</name></record><record><id>K2</id><name>c</name></record></r>".utf8)
        let xmlItems = try Read.items(directory.write("t.xml", bytes: xml), format: .xml, spec: Specs.simple())
        #expect(xmlItems.records.map(\.key) == ["K2"])

        for text in ["{\"id\":\"K1\",\"name\":\"a\\u0000b\"}\n", "{\"id\":\"K1\",\"name\":\"a\0b\"}\n"] {
            let jsonl = Array((text + "{\"id\":\"K2\",\"name\":\"c\"}\n").utf8)
            let jsonItems = try Read.items(
                directory.write("t.jsonl", bytes: jsonl), format: .jsonl, spec: Specs.simple())
            #expect(jsonItems.records.map(\.key) == ["K2"])
            #expect(jsonItems.rejects.count == 1)
            #expect(jsonItems.rejects.first?.reason.category == "NUL byte" || text.contains("\0"))
        }
    }
}
