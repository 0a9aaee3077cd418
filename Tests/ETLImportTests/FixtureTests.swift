import ETLCore
import TestSupport
import Testing

@testable import ETLImport

/// The hand-checked fixtures against `fixtures/EXPECTED.md`, read with specs equivalent to the
/// sources of `pipelines/demo.json`.
///
/// Duplicate record keys are rejected by the store, not by the reader: at this level a
/// duplicate is an ordinary record. So here "records" = staged + duplicates and
/// "rejects" = rejected - duplicates, and each duplicate is checked to repeat the key of the
/// earlier record EXPECTED.md names.
@Suite struct FixtureTests {
    // MARK: - Specs as in pipelines/demo.json

    static let socialSecurity = SourceSpec(
        name: "social_security", encoding: .auto,
        csv: CSVOptions(delimiter: UInt8(ascii: ","), maxQuotedFieldBytes: 65536, maxQuotedFieldLines: 100),
        key: "个人编号",
        fields: [
            .name: FieldMapping(sources: ["姓名"]), .sex: FieldMapping(sources: ["性别"]),
            .birthDate: FieldMapping(sources: ["出生日期"]), .idNumber: FieldMapping(sources: ["公民身份号码"]),
            .phone: FieldMapping(sources: ["联系电话"]), .address: FieldMapping(sources: ["户籍地址"]),
        ],
        sexValues: ["男": .male, "女": .female],
        dateFormats: [DatePattern("yyyy-MM-dd")!, DatePattern("yyyy/M/d")!],
        payload: ["参保状态", "参保日期", "单位名称"])

    static let healthInsurance = SourceSpec(
        name: "health_insurance", encoding: .utf8, xmlRecordElement: "person", key: "insuredId",
        fields: [
            .name: FieldMapping(sources: ["name"]),
            .idNumber: FieldMapping(sources: ["certNo"], condition: .init(field: "certType", values: ["01"])),
            .sex: FieldMapping(sources: ["sex"]), .birthDate: FieldMapping(sources: ["birthDate"]),
            .phone: FieldMapping(sources: ["mobile"]), .address: FieldMapping(sources: ["residence"]),
        ],
        sexValues: ["1": .male, "2": .female, "0": .unknown, "9": .unstated],
        dateFormats: [DatePattern("yyyyMMdd")!],
        payload: ["scheme", "certType", "certNo"])

    static let civilAffairs = SourceSpec(
        name: "civil_affairs", encoding: .utf8, jsonRecordsPath: ["records"], key: "caseNo",
        fields: [
            .name: FieldMapping(sources: ["name"]), .idNumber: FieldMapping(sources: ["idNumber"]),
            .sex: FieldMapping(sources: ["gender"]), .birthDate: FieldMapping(sources: ["birthDate"]),
            .phone: FieldMapping(sources: ["mobile"]), .address: FieldMapping(sources: ["address"]),
        ],
        sexValues: ["M": .male, "F": .female],
        dateFormats: [DatePattern("yyyy-MM-dd")!],
        payload: ["assistanceType", "householdSize"])

    // MARK: - Expected results

    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var format: SourceFormat
        var spec: SourceSpec
        var encoding: ResolvedEncoding
        /// EXPECTED.md's summary.
        var read: Int
        var staged: Int
        var rejected: Int
        /// Rejects the reader itself produces: line and reason category.
        var readerRejects: [(line: Int, category: String)]
        /// Store-level duplicates: the duplicate's line and the line of the first occurrence.
        var duplicates: [(line: Int, firstLine: Int)]
        /// Lines of the records the reader yields (staged ones plus the duplicates).
        var recordLines: [Int]

        var testDescription: String { file }
        var path: String { Repository.path("fixtures/" + file) }
    }

    static let expected: [Expected] = [
        Expected(
            file: "inbox/social_security_2026-11-26.csv", format: .csv, spec: socialSecurity, encoding: .gb18030,
            read: 25, staged: 20, rejected: 5,
            readerRejects: [
                (11, "wrong field count"), (16, "text after closing quote"), (20, "missing record key"),
                (22, "undecodable bytes"),
            ],
            duplicates: [(18, 4)],
            recordLines: [2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 14, 15, 17, 18, 19, 21, 23, 24, 25, 26, 27]),
        Expected(
            file: "inbox/health_insurance_2026-11-26.xml", format: .xml, spec: healthInsurance, encoding: .utf8,
            read: 20, staged: 16, rejected: 4,
            readerRejects: [
                (80, "malformed XML element"), (113, "malformed XML element"), (168, "missing record key"),
            ],
            duplicates: [(146, 14)],
            recordLines: [3, 14, 25, 37, 48, 58, 69, 91, 102, 124, 135, 146, 157, 180, 191, 202, 213]),
        Expected(
            file: "inbox/civil_affairs_2026-11-26.json", format: .json, spec: civilAffairs, encoding: .utf8,
            read: 15, staged: 11, rejected: 4,
            readerRejects: [
                (9, "record is not an object"), (12, "missing record key"), (13, "record is not an object"),
            ],
            duplicates: [(11, 5)],
            recordLines: [4, 5, 6, 7, 8, 10, 11, 14, 15, 16, 27, 28]),
        Expected(
            file: "jsonl/civil_affairs_2026-11-26.jsonl", format: .jsonl, spec: civilAffairs, encoding: .utf8,
            read: 10, staged: 8, rejected: 2,
            readerRejects: [(4, "invalid JSON"), (6, "record is not an object")],
            duplicates: [],
            recordLines: [1, 2, 3, 5, 7, 8, 9, 10]),
    ]

    private static func items(_ file: String, _ format: SourceFormat, _ spec: SourceSpec) throws -> [ImportItem] {
        let path = Repository.path("fixtures/" + file)
        let fingerprint = try FileFingerprint.compute(path: path, displayName: file, checkUTF8: true)
        let encoding = try spec.encoding.resolved(for: fingerprint, format: format, file: file)
        return try Read.items(path, format: format, spec: spec, encoding: encoding, name: file)
    }

    /// Records by their first line.
    private static func records(
        _ file: String, _ format: SourceFormat, _ spec: SourceSpec
    ) throws -> [Int: SourceRecord] {
        Dictionary(uniqueKeysWithValues: try items(file, format, spec).records.map { ($0.location.line, $0) })
    }

    // MARK: - Counts and rejects

    @Test(arguments: expected)
    func countsAndRejectsMatchExpected(expected: Expected) throws {
        #expect(expected.read == expected.staged + expected.rejected, "EXPECTED.md is self-consistent")
        let fingerprint = try FileFingerprint.compute(path: expected.path, displayName: expected.file)
        #expect(
            try expected.spec.encoding.resolved(for: fingerprint, format: expected.format, file: expected.file)
                == expected.encoding)

        let items = try Self.items(expected.file, expected.format, expected.spec)
        let records = items.records
        let rejects = items.rejects
        #expect(items.count == expected.read)
        #expect(records.count == expected.staged + expected.duplicates.count)
        #expect(rejects.count == expected.rejected - expected.duplicates.count)
        #expect(rejects.map(\.location.line) == expected.readerRejects.map(\.line))
        #expect(rejects.map(\.reason.category) == expected.readerRejects.map(\.category))
        #expect(rejects.allSatisfy { $0.location.file == expected.file })
        #expect(records.map(\.location.line) == expected.recordLines)
        #expect(
            items.map { $0.record?.location.recordIndex ?? $0.reject!.location.recordIndex } == Array(1...expected.read)
        )

        // The duplicates repeat the key of the record EXPECTED.md names as the first.
        let byLine = Dictionary(uniqueKeysWithValues: records.map { ($0.location.line, $0.key) })
        for duplicate in expected.duplicates {
            let key = try #require(byLine[duplicate.line])
            #expect(byLine[duplicate.firstLine] == key)
            #expect(records.filter { $0.key == key }.map(\.location.line) == [duplicate.firstLine, duplicate.line])
        }
        // Apart from those, keys are unique.
        #expect(Set(records.map(\.key)).count == records.count - expected.duplicates.count)
    }

    @Test(arguments: expected)
    func batchReadingGivesTheSameResult(expected: Expected) throws {
        let items = try Self.items(expected.file, expected.format, expected.spec)
        for maxItems in [1, 3, 1000] {
            let (records, rejects) = try Read.batch(
                expected.path, format: expected.format, spec: expected.spec, encoding: expected.encoding,
                name: expected.file, maxItems: maxItems)
            #expect(records == items.records, "maxItems \(maxItems)")
            #expect(rejects == items.rejects, "maxItems \(maxItems)")
        }
    }

    // MARK: - Reasons in detail

    @Test func socialSecurityRejectReasons() throws {
        let rejects = try Self.items("inbox/social_security_2026-11-26.csv", .csv, Self.socialSecurity).rejects
        try #require(rejects.count == 4)
        #expect(rejects[0].reason == .wrongFieldCount(found: 9, expected: 10))
        #expect(rejects[1].reason == .textAfterClosingQuote(field: 7))
        #expect(rejects[2].reason == .missingRecordKey(field: "个人编号"))
        // The 0xFF byte is at offset 2780 of the file, inside 姓名.
        #expect(rejects[3].reason == .undecodableBytes(encoding: "GB18030", byteOffset: 2780, field: "姓名"))
    }

    @Test func healthInsuranceRejectReasons() throws {
        let rejects = try Self.items("inbox/health_insurance_2026-11-26.xml", .xml, Self.healthInsurance).rejects
        try #require(rejects.count == 3)
        for reject in rejects.prefix(2) {
            guard case .malformedXML = reject.reason else {
                Issue.record("expected malformed XML at line \(reject.location.line), got \(reject.reason)")
                continue
            }
        }
        #expect(rejects[2].reason == .missingRecordKey(field: "insuredId"))
    }

    @Test func civilAffairsRejectReasons() throws {
        let document = try Self.items("inbox/civil_affairs_2026-11-26.json", .json, Self.civilAffairs).rejects
        #expect(
            document.map(\.reason) == [
                .notAnObject(found: "a string"), .missingRecordKey(field: "caseNo"), .notAnObject(found: "an array"),
            ])
        let lines = try Self.items("jsonl/civil_affairs_2026-11-26.jsonl", .jsonl, Self.civilAffairs).rejects
        try #require(lines.count == 2)
        guard case .invalidJSON = lines[0].reason else {
            Issue.record("expected invalid JSON, got \(lines[0].reason)")
            return
        }
        #expect(lines[1].reason == .notAnObject(found: "an array"))
    }

    // MARK: - Dirty-but-valid values

    @Test func socialSecurityDirtyValues() throws {
        let byLine = try Self.records("inbox/social_security_2026-11-26.csv", .csv, Self.socialSecurity)
        func record(_ line: Int) throws -> SourceRecord { try #require(byLine[line], "line \(line)") }
        #expect(try record(3).payload("单位名称")?.contains(",") == true)
        let quoted = try #require(try record(4).payload("单位名称"))
        #expect(quoted.filter { $0 == "\"" }.count == 2, "doubled quotes are undone")
        #expect(try record(5).fields.phone == nil)
        #expect(try record(5).fields.address?.contains("\n") == true)
        #expect(try record(5).fields.address?.contains("\r") == false)
        #expect(try record(7).fields.name?.unicodeScalars.contains("\u{B7}") == true)
        #expect(try record(8).fields.name?.unicodeScalars.contains("\u{4DAE}") == true)
        #expect(try record(9).fields.name?.unicodeScalars.contains("\u{2A6A5}") == true)
        let fullWidth = try #require(try record(10).fields.idNumber)
        #expect(fullWidth.unicodeScalars.count == 18)
        #expect(fullWidth.unicodeScalars.allSatisfy { (0xFF10...0xFF19).contains($0.value) })
        #expect(try record(12).fields.idNumber?.hasSuffix("x") == true)
        #expect(try record(13).fields.name?.contains(" ") == true)
        #expect(try record(13).fields.idNumber == (try record(2).fields.idNumber))
        #expect(try record(14).fields.idNumber?.count == 15)
        let sparse = try record(15)
        #expect(sparse.fields.birthDate == nil && sparse.fields.idNumber == nil && sparse.fields.phone == nil)
        #expect(sparse.payload.map(\.value).map { $0 == nil } == [false, true, true])
        #expect(try record(17).payload("单位名称") == nil)
        #expect(try record(19).payload("参保状态")?.contains("\"") == false)
        #expect(try record(27).fields.phone == nil)
        #expect(try record(27).payload.allSatisfy { $0.value == nil })
        // Both date formats occur; every non-empty date matched one of them.
        for record in byLine.values {
            #expect(record.sexCode != nil, "line \(record.location.line)")
            #expect((record.birthDateISO != nil) == (record.fields.birthDate != nil), "line \(record.location.line)")
        }
        #expect(try record(3).fields.birthDate?.contains("/") == true)
        #expect(try record(3).birthDateISO?.contains("/") == false)
    }

    @Test func healthInsuranceDirtyValues() throws {
        let byLine = try Self.records("inbox/health_insurance_2026-11-26.xml", .xml, Self.healthInsurance)
        func record(_ line: Int) throws -> SourceRecord { try #require(byLine[line], "line \(line)") }
        #expect(try record(3).fields.phone?.hasPrefix("+86-") == true)
        #expect(try record(25).fields.phone == nil)
        #expect(try record(37).fields.name?.unicodeScalars.contains("\u{30FB}") == true)
        #expect(try record(48).fields.phone == nil)
        #expect(try record(58).fields.idNumber == nil, "certType 02 is not a resident ID card")
        #expect(try record(58).payload("certType") == "02")
        #expect(try record(58).payload("certNo") != nil)
        #expect(try record(69).fields.address?.contains("B&C栋") == true)
        #expect(try record(102).fields.idNumber?.count == 15)
        #expect(try record(124).sexCode == .unknown)
        #expect(try record(124).fields.address?.hasSuffix("<3栋>&底商") == true)
        #expect(try record(135).sexCode == .unstated)
        #expect(try record(180).fields.name?.unicodeScalars.contains("\u{4DAE}") == true)
        #expect(try record(191).fields.name?.unicodeScalars.contains("\u{2A6A5}") == true)
        for record in byLine.values {
            #expect(record.birthDateISO != nil, "line \(record.location.line)")
            #expect(record.payload("certType") == "01" ? record.fields.idNumber != nil : record.fields.idNumber == nil)
        }
    }

    @Test func civilAffairsDirtyValues() throws {
        let byLine = try Self.records("inbox/civil_affairs_2026-11-26.json", .json, Self.civilAffairs)
        func record(_ line: Int) throws -> SourceRecord { try #require(byLine[line], "line \(line)") }
        #expect(try record(4).fields.name?.contains(" ") == true)
        #expect(try record(4).payload("householdSize") == "3", "numbers are kept as written")
        #expect(try record(5).fields.idNumber?.hasSuffix("Ｘ") == true)
        #expect(try record(6).fields.name?.unicodeScalars.first == "\u{5F20}", "\\u5f20 is decoded")
        #expect(try record(7).fields.phone == nil && (try record(7).fields.address) == nil)
        #expect(try record(8).fields.birthDate == nil && (try record(8).fields.phone) == nil)
        #expect(try record(10).fields.name?.contains(".") == true)
        #expect(try record(14).fields.idNumber?.count == 15)
        let sparse = try record(15)
        #expect(sparse.fields.idNumber == nil && sparse.fields.birthDate == nil && sparse.fields.phone == nil)
        #expect(sparse.payload("householdSize") == nil)
        #expect(try record(16).payload("householdSize") == "4", "the multi-line record is read whole")
        let last = try record(28)
        #expect(last.fields.name?.unicodeScalars.count == 2)
        #expect(last.fields.name?.unicodeScalars.first == "\u{5F20}", "\\u escapes are decoded")
        #expect(last.fields.sex == nil && last.sexCode == nil)
        #expect(last.fields.birthDate?.contains("/") == true)
        #expect(last.birthDateISO == nil, "yyyy/M/d is not a civil-affairs date format")

        let jsonl = try Self.records("jsonl/civil_affairs_2026-11-26.jsonl", .jsonl, Self.civilAffairs)
        #expect(jsonl[3]?.fields.name?.unicodeScalars.first == "\u{5F20}")
        #expect(jsonl[5]?.fields.idNumber?.hasSuffix("Ｘ") == true)
        #expect(jsonl[7]?.fields.idNumber?.count == 15)
        #expect(jsonl[8]?.fields.birthDate == nil && jsonl[8]?.fields.idNumber == nil)
        #expect(jsonl[9]?.fields.name?.unicodeScalars.contains("\u{2022}") == true)
        #expect(jsonl[10]?.fields.phone?.hasPrefix("+86-") == true)
    }
}
