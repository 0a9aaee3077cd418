import ETLCore
import TestSupport
import Testing

@testable import ETLImport

/// Streaming XML: records cut at element boundaries and parsed on their own.
@Suite struct XMLReaderTests {
    let directory = TemporaryDirectory()

    static let spec = SourceSpec(
        name: "test", xmlRecordElement: "person", key: "insuredId",
        fields: [
            .name: FieldMapping(sources: ["name"]),
            .idNumber: FieldMapping(sources: ["certNo"], condition: .init(field: "certType", values: ["01"])),
            .phone: FieldMapping(sources: ["mobile"]),
            .address: FieldMapping(sources: ["residence"]),
        ],
        payload: ["scheme", "certType", "certNo"])

    /// A document whose first `<person>` starts on line 3; persons are joined as given.
    static func document(_ persons: [String], root: String = "insuredPersons") -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(root) exportedAt=\"2026-01-01T00:00:00+08:00\" region=\"000000\">\n"
            + persons.joined() + "</\(root)>\n"
    }

    /// A four-line person: `<person>`, id, name, `</person>`.
    static func person(_ id: String, name: String = "测试") -> String {
        "  <person>\n    <insuredId>\(id)</insuredId>\n    <name>\(name)</name>\n  </person>\n"
    }

    private func read(_ text: String, spec: SourceSpec = XMLReaderTests.spec) throws -> [ImportItem] {
        try Read.items(directory.write("t.xml", text), format: .xml, spec: spec)
    }

    private func error(_ text: String) -> ImportError? {
        Read.error(directory.write("t.xml", text), format: .xml, spec: Self.spec)
    }

    @Test func childElementsAreMappedByName() throws {
        let items = try read(
            Self.document([
                """
                  <person>
                    <insuredId>K1</insuredId>
                    <unmapped>x</unmapped>
                    <residence>测试路1号</residence>
                    <name>名甲</name>
                    <mobile>000-0001</mobile>
                    <scheme>A</scheme>
                  </person>

                """,
                Self.person("K2", name: "名乙"),
            ]))
        #expect(items.rejects.isEmpty)
        let records = items.records
        try #require(records.count == 2)
        #expect(records[0].key == "K1")
        #expect(records[0].fields.name == "名甲")
        #expect(records[0].fields.phone == "000-0001")
        #expect(records[0].fields.address == "测试路1号")
        #expect(records[0].payload("scheme") == "A")
        #expect(records[1].key == "K2")
        #expect(records[1].fields.name == "名乙")
        #expect(records.map(\.location.line) == [3, 11])
        #expect(records.map(\.location.recordIndex) == [1, 2])
    }

    @Test func omittedAndEmptyElementsAreUnknown() throws {
        let items = try read(
            Self.document([
                "<person><insuredId>K1</insuredId><mobile/><residence></residence></person>\n",
                "<person><insuredId>K2</insuredId></person>\n",
            ]))
        let records = items.records
        try #require(records.count == 2)
        for record in records {
            #expect(record.fields.phone == nil)
            #expect(record.fields.address == nil)
            #expect(record.fields.name == nil)
            #expect(record.payload.map(\.value) == [nil, nil, nil])
        }
        #expect(records.map(\.location.line) == [3, 4])
    }

    @Test func entitiesCharacterReferencesAndCDATAAreDecoded() throws {
        let items = try read(
            Self.document([
                """
                <person>
                  <insuredId>K1</insuredId>
                  <name>A&amp;B &lt;x&gt; &#x6D4B;&#35797;</name>
                  <residence><![CDATA[测试路<3栋>&底商]]></residence>
                  <scheme>a<![CDATA[&]]>b</scheme>
                </person>

                """
            ]))
        let record = try #require(items.first?.record)
        #expect(record.fields.name == "A&B <x> 测试")
        #expect(record.fields.address == "测试路<3栋>&底商")
        #expect(record.payload("scheme") == "a&b")
    }

    @Test func textOfNestedElementsIsJoined() throws {
        let items = try read(
            Self.document([
                "<person><insuredId>K1</insuredId><name><a>甲</a> <b>乙<c>丙</c></b></name></person>\n"
            ]))
        #expect(items.records.first?.fields.name == "甲 乙丙")
    }

    @Test func commentsAndProcessingInstructionsBetweenAndInsideRecords() throws {
        let items = try read(
            Self.document([
                Self.person("K1"),
                "  <!-- a comment\n  over two lines with <person> inside -->\n",
                "  <?pi ignored?>\n",
                "  <person><!-- </person> --><insuredId>K2</insuredId></person>\n",
                Self.person("K3"),
            ]))
        #expect(items.rejects.isEmpty)
        #expect(items.records.map(\.key) == ["K1", "K2", "K3"])
        #expect(items.records.map(\.location.line) == [3, 10, 11])
    }

    @Test func recordStartTagWithAttributesAndWhitespace() throws {
        let items = try read(
            Self.document([
                "<person status=\"a>b\" kind='x'\n  ><insuredId>K1</insuredId></person >\n",
                "<person\n><insuredId>K2</insuredId></person>\n",
            ]))
        #expect(items.rejects.isEmpty)
        #expect(items.records.map(\.key) == ["K1", "K2"])
        #expect(items.records.map(\.location.line) == [3, 5])
    }

    @Test func recordsAreFoundAtAnyDepthOutsideRecords() throws {
        let text =
            "<export>\n<batch n=\"1\">\n\(Self.person("K1"))</batch>\n<batch>\n\(Self.person("K2"))</batch>\n</export>\n"
        let items = try read(text)
        #expect(items.records.map(\.key) == ["K1", "K2"])
        #expect(items.records.map(\.location.line) == [3, 9])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let path = directory.write("t.xml", bytes: [0xEF, 0xBB, 0xBF] + Array(Self.document([Self.person("K1")]).utf8))
        let items = try Read.items(path, format: .xml, spec: Self.spec)
        #expect(items.records.map(\.key) == ["K1"])
    }

    @Test func selfClosingRecordHasNoKey() throws {
        let items = try read(Self.document(["<person/>\n", Self.person("K2")]))
        try #require(items.count == 2)
        #expect(items[0].reject?.reason == .missingRecordKey(field: "insuredId"))
        #expect(items[0].reject?.location.line == 3)
        #expect(items[1].record?.key == "K2")
    }

    @Test func emptyKeyElementIsAMissingKey() throws {
        let items = try read(Self.document([Self.person("K1"), "<person><insuredId/><name>x</name></person>\n"]))
        #expect(items.rejects.map(\.reason) == [.missingRecordKey(field: "insuredId")])
        #expect(items.rejects.map(\.location.line) == [7])
    }

    // MARK: - Malformed records

    @Test(arguments: [
        ("<name>测试</nme>", "mismatched tag"),
        ("<name>A&B</name>", "bare ampersand"),
        ("<name>&foo;</name>", "undefined entity"),
        ("<name>a<b</name>", "bare less-than"),
        ("<name attr=x>a</name>", "unquoted attribute"),
    ])
    func malformedRecordRejectsOnlyItself(bad: String, label: String) throws {
        let badPerson = "  <person>\n    <insuredId>K2</insuredId>\n    \(bad)\n  </person>\n"
        let items = try read(Self.document([Self.person("K1"), badPerson, Self.person("K3")]))
        try #require(items.count == 3, "\(label)")
        let reject = try #require(items[1].reject, "\(label)")
        #expect(reject.location.line == 7, "\(label)")
        guard case .malformedXML = reject.reason else {
            Issue.record("\(label): expected malformed XML, got \(reject.reason)")
            return
        }
        #expect(reject.recordKey == "K2", "\(label)")
        #expect(items.records.map(\.key) == ["K1", "K3"])
        #expect(items.records.map(\.location.line) == [3, 11])
        #expect(items.records.map(\.fields.name) == ["测试", "测试"])
    }

    @Test func externalEntityIsNeverExpanded() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE insuredPersons [
              <!ENTITY e SYSTEM "file:///etc/passwd">
              <!ENTITY i "internal">
            ]>
            <insuredPersons>
            <person><insuredId>K1</insuredId><name>&e;</name><residence>&i;</residence></person>
            <person><insuredId>K2</insuredId><name>ok</name></person>
            </insuredPersons>

            """
        let items = try read(text)
        try #require(items.count == 2)
        for record in items.records {
            for field in CanonicalField.allCases {
                #expect(record.fields[field]?.contains("root:") != true)
            }
        }
        if let reject = items[0].reject {
            #expect(reject.location.line == 7)
            #expect(!reject.raw.contains("root:"))
        }
        #expect(items[1].record?.fields.name == "ok")
    }

    @Test func entityExpansionBombIsNotExpanded() throws {
        var doctype = "<!DOCTYPE insuredPersons [\n<!ENTITY l0 \"lollollollollol\">\n"
        for level in 1...9 {
            let ref = "&l\(level - 1);"
            doctype += "<!ENTITY l\(level) \"\(String(repeating: ref, count: 10))\">\n"
        }
        doctype += "]>\n"
        let text =
            "<?xml version=\"1.0\"?>\n" + doctype
            + "<insuredPersons>\n<person><insuredId>K1</insuredId><name>&l9;</name></person>\n</insuredPersons>\n"
        let items = try read(text)
        try #require(items.count == 1)
        #expect((items[0].record?.fields.name?.count ?? 0) < 1000)
    }

    // MARK: - Broken documents

    @Test(arguments: [
        "  <person>\n    <insuredId>K2</insuredId>\n    <na",
        "  <person>\n    <insuredId>K2</insuredId>\n",
        "  <person>\n    <insuredId>K2</insu",
        "  <pers",
        "",
    ])
    func fileCutOffIsABrokenDocument(tail: String) {
        let text = "<?xml version=\"1.0\"?>\n<insuredPersons>\n" + Self.person("K1") + tail
        let error = error(text)
        guard case .brokenXMLDocument(file: "test", let line, _)? = error else {
            Issue.record("expected a broken document, got \(String(describing: error))")
            return
        }
        #expect(line >= 3)
    }

    // MARK: - Groups

    @Test(arguments: [0, 1, 126, 127, 128, 129, 150, 299])
    func oneBadRecordAmongManyGivesOneReject(bad: Int) throws {
        let persons = (0..<300).map { index in
            index == bad
                ? "  <person>\n    <insuredId>K\(index)</insuredId>\n    <name>x</nme>\n  </person>\n"
                : Self.person("K\(index)", name: "名\(index)")
        }
        let items = try read(Self.document(persons))
        #expect(items.count == 300)
        let rejects = items.rejects
        try #require(rejects.count == 1)
        #expect(rejects[0].location.line == 3 + 4 * bad)
        #expect(rejects[0].location.recordIndex == bad + 1)
        let records = items.records
        try #require(records.count == 299)
        let expected = (0..<300).filter { $0 != bad }
        #expect(records.map(\.key) == expected.map { "K\($0)" })
        #expect(records.map(\.fields.name) == expected.map { "名\($0)" })
        #expect(records.map(\.location.line) == expected.map { 3 + 4 * $0 })
    }

    @Test func recordsOfCleanGroupsKeepTheirOwnValues() throws {
        // 200 records in two groups, with optional elements present in some only: values
        // must not leak from one record into the next.
        let persons = (0..<200).map { index in
            let mobile = index % 3 == 0 ? "<mobile>M\(index)</mobile>" : (index % 3 == 1 ? "<mobile/>" : "")
            return "<person><insuredId>K\(index)</insuredId>\(mobile)</person>\n"
        }
        let records = try read(Self.document(persons)).records
        try #require(records.count == 200)
        for (index, record) in records.enumerated() {
            #expect(record.fields.phone == (index % 3 == 0 ? "M\(index)" : nil), "record \(index)")
        }
    }

    // MARK: - Conditions

    @Test func certNumberIsAnIDNumberOnlyForCertType01() throws {
        func person(_ id: String, _ certType: String?) -> String {
            let type = certType.map { "<certType>\($0)</certType>" } ?? ""
            return "<person><insuredId>\(id)</insuredId>\(type)<certNo>N-\(id)</certNo></person>\n"
        }
        let items = try read(
            Self.document([
                person("K1", "01"), person("K2", "02"), person("K3", nil), person("K4", ""), person("K5", "1"),
            ]))
        let records = items.records
        try #require(records.count == 5)
        #expect(records.map(\.fields.idNumber) == ["N-K1", nil, nil, nil, nil])
        #expect(records.map { $0.payload("certNo") } == ["N-K1", "N-K2", "N-K3", "N-K4", "N-K5"])
        #expect(records.map { $0.payload("certType") } == ["01", "02", nil, nil, "1"])
    }
}
