import ETLCore
import ETLPipeline
import ETLPublish
import TestSupport
import Testing

/// The `publish` section of pipeline files: what it accepts, and the mistakes it reports
/// where they are written.
@Suite struct PublishSectionTests {
    private static let source = """
        {
          "name": "civil_affairs", "format": "json", "files": "c*.json", "json": { "records": "records" },
          "key": "caseNo", "fields": { "name": "name", "idNumber": "idNumber", "birthDate": "birthDate" },
          "dateFormats": ["yyyy-MM-dd"], "payload": ["assistanceType"]
        }
        """

    private func load(_ publish: String) throws -> (Pipeline?, [String]) {
        let folder = TemporaryDirectory()
        let path = folder.write("p.json", "{ \"sources\": [\(Self.source)],\n\"publish\": \(publish) }")
        do {
            let (pipeline, warnings) = try Pipeline.load(path: path)
            return (pipeline, warnings.map(\.message))
        } catch {
            guard case .invalid(let diagnostics) = error else { throw error }
            return (nil, diagnostics.map { "\($0.position.line): \($0.message)" })
        }
    }

    @Test func aWellFormedSectionIsRead() throws {
        let (pipeline, messages) = try load(
            """
            {
              "folder": "out", "key": { "file": "k.key" }, "keyVersion": 2, "retain": 3,
              "datasets": [{
                "name": "elderly", "recipient": "civil", "purpose": "care",
                "include": [{ "from": "age", "min": 60 }, { "from": "departments", "contains": "civil_affairs" }],
                "columns": [
                  { "name": "person", "from": "residentId", "transform": "pseudonym" },
                  { "name": "age", "from": "age", "transform": { "generalise": "band5", "upTo": "band20" } },
                  { "name": "help", "from": { "payload": "assistanceType" }, "transform": "keep" }
                ],
                "key": "person", "formats": ["csv", "sqlite"],
                "privacy": { "k": 3, "quasiIdentifiers": ["age"], "sensitive": { "column": "help", "l": 2 } }
              }]
            }
            """)
        #expect(messages.isEmpty)
        let settings = try #require(pipeline?.publish)
        #expect(settings.folder?.hasSuffix("/out") == true)
        #expect(settings.keyVersion == 2 && settings.retain == 3)
        guard case .file(let keyPath) = settings.key else {
            Issue.record("the key is read from a file")
            return
        }
        #expect(keyPath.hasSuffix("/k.key"))
        let dataset = try #require(settings.datasets.first)
        #expect(dataset.columns[1].transform == .generalise(level: 1, coarsest: 3))
        #expect(dataset.columns[2].source == .payload(field: "assistanceType", source: nil))
        #expect(dataset.include.count == 2)
        #expect(dataset.formats == [.csv, .sqlite])
        #expect(dataset.privacy?.k == 3 && dataset.privacy?.sensitive?.l == 2)
    }

    @Test func mistakesAreReportedWhereTheyAreWritten() throws {
        let (pipeline, messages) = try load(
            """
            {
              "datasets": [{
                "name": "open", "recipient": "r", "purpose": "p",
                "columns": [
                  { "name": "id", "from": "idNumber", "transform": "keep" },
                  { "name": "who", "from": "name", "transform": "mask" },
                  { "name": "age", "from": "age", "transform": { "generalise": "band7" } },
                  { "name": "sex", "from": "sex", "transform": "pseudonym" },
                  { "name": "x", "from": { "payload": "assistanceTyp" }, "transform": "keep" },
                  { "name": "y", "from": "adress", "transform": "keep" }
                ],
                "key": "age"
              }]
            }
            """)
        #expect(pipeline == nil)
        // The section starts on line 6 of the file.
        let expected = [
            "10: column 'id' keeps 'idNumber', a direct identifier, in a dataset that is not identified",
            "11: masked values are for display in an identified dataset",
            "12: unknown level 'band7' for age values; did you mean 'band5'?",
            "13: pseudonyms are made from 'residentId', 'idNumber' or 'phone'",
            "14: no source carries the payload field 'assistanceTyp'; did you mean 'assistanceType'?",
            "15: unknown value 'adress'; did you mean 'address'?",
            "7: dataset 'open' is not identified, so it needs 'privacy'",
            "17: 'key' names no column 'age'",
        ]
        for message in expected {
            #expect(messages.contains { $0.hasPrefix(message) }, "\(message)")
        }
    }

    @Test func pseudonymsNeedAKeyAndTheKeyIsNeverInThePipeline() throws {
        let dataset = """
            {
              "name": "d", "recipient": "r", "purpose": "p", "identified": true,
              "columns": [{ "name": "person", "from": "residentId", "transform": "pseudonym" }]
            }
            """
        let (_, noKey) = try load("{ \"datasets\": [\(dataset)] }")
        #expect(noKey.contains { $0.contains("has pseudonym columns, so 'publish' needs a 'key'") })
        let (_, twoKeys) = try load(
            "{ \"key\": { \"file\": \"a\", \"environment\": \"B\" }, \"datasets\": [\(dataset)] }")
        #expect(twoKeys.contains { $0.contains("needs exactly one of 'file'") })
        let (_, keyValue) = try load("{ \"key\": { \"value\": \"00ff\" }, \"datasets\": [\(dataset)] }")
        #expect(keyValue.contains { $0.contains("unknown key 'value' in 'publish.key'") })
    }
}
