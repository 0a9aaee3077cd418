import ETLCore
import TestSupport
import Testing

@testable import ETLImport

/// A record larger than `maxRecordBytes` is rejected and the rest of the file is imported.
/// (The window never shrinks below the 1 MiB chunk, so these use a 1 MiB limit; smaller
/// limits are in KnownBugs.)
@Suite struct RecordLimitTests {
    let directory = TemporaryDirectory()

    static let spec = SourceSpec(
        name: "test", csv: CSVOptions(maxQuotedFieldBytes: 4 << 20), xmlRecordElement: "r", key: "id",
        fields: [.name: FieldMapping(sources: ["name"])], maxRecordBytes: 1 << 20)

    static func text(_ format: SourceFormat, quoted: Bool = false) -> String {
        let long = String(repeating: "a", count: 3 << 19)
        switch format {
        case .csv: return "id,name\nK0,x\nK1,\(quoted ? "\"\(long)\"" : long)\nK2,b\n"
        case .xml:
            return
                "<export>\n<r><id>K0</id></r>\n<r><id>K1</id><name>\(long)</name></r>\n<r><id>K2</id></r>\n</export>\n"
        case .jsonl, .json: return "{\"id\": \"K0\"}\n{\"id\": \"K1\", \"name\": \"\(long)\"}\n{\"id\": \"K2\"}\n"
        }
    }

    @Test(arguments: [(SourceFormat.csv, false), (.csv, true), (.xml, false), (.jsonl, false)])
    func recordLargerThanTheLimitIsRejected(format: SourceFormat, quoted: Bool) throws {
        let path = directory.write("t.\(format.rawValue)", Self.text(format, quoted: quoted))
        let items = try Read.items(path, format: format, spec: Self.spec)
        try #require(items.count == 3)
        #expect(items[1].reject?.reason == .recordTooLarge(limitBytes: 1 << 20))
        let firstLine = format == .xml ? 2 : (format == .csv ? 2 : 1)
        #expect(
            items.map { $0.record?.location.line ?? $0.reject!.location.line } == [
                firstLine, firstLine + 1, firstLine + 2,
            ])
        #expect(items.records.map(\.key) == ["K0", "K2"])
    }
}
