import ETLCore
import TestSupport
import Testing

@testable import ETLImport

/// From source fields to canonical fields: joins, value maps, date formats and payload.
@Suite struct MappingTests {
    let directory = TemporaryDirectory()

    private func records(_ text: String, spec: SourceSpec) throws -> [SourceRecord] {
        let items = try Read.items(directory.write("t.csv", text), format: .csv, spec: spec)
        #expect(items.rejects.isEmpty)
        return items.records
    }

    @Test func joinSkipsEmptyParts() throws {
        let spec = SourceSpec(
            name: "test", key: "id",
            fields: [
                .name: FieldMapping(sources: ["family", "given"], separator: " "),
                .address: FieldMapping(sources: ["city", "street", "number"], separator: "/"),
            ])
        let rows = try records(
            """
            id,family,given,city,street,number
            K1,A,B,C1,S1,1
            K2,A,,C1,,1
            K3,,B,,,1
            K4,,,,,

            """, spec: spec)
        #expect(rows.map(\.fields.name) == ["A B", "A", "B", nil])
        #expect(rows.map(\.fields.address) == ["C1/S1/1", "C1/1", "1", nil])
    }

    @Test func joinWithMultiCharacterSeparatorAndNonASCII() throws {
        let spec = SourceSpec(
            name: "test", key: "id", fields: [.address: FieldMapping(sources: ["a", "b"], separator: " · ")])
        let rows = try records("id,a,b\nK1,省甲,路乙\n", spec: spec)
        #expect(rows.first?.fields.address == "省甲 · 路乙")
    }

    @Test func sexValuesMapToCodes() throws {
        let spec = SourceSpec(
            name: "test", key: "id", fields: [.sex: FieldMapping(sources: ["sex"])],
            sexValues: ["男": .male, "女": .female, "0": .unknown, "9": .unstated])
        let rows = try records("id,sex\nK1,男\nK2,女\nK3,0\nK4,9\nK5,X\nK6,\nK7,男 \n", spec: spec)
        #expect(rows.map(\.sexCode) == [.male, .female, .unknown, .unstated, nil, nil, nil])
        #expect(rows.map(\.fields.sex) == ["男", "女", "0", "9", "X", nil, "男 "], "the raw value is kept")
    }

    @Test func sexValueMapAppliesToAJoinedField() throws {
        let spec = SourceSpec(
            name: "test", key: "id", fields: [.sex: FieldMapping(sources: ["a", "b"], separator: "-")],
            sexValues: ["M-1": .male])
        let rows = try records("id,a,b\nK1,M,1\nK2,M,\n", spec: spec)
        #expect(rows.map(\.sexCode) == [.male, nil])
    }

    @Test func dateFormatsProduceISODates() throws {
        let spec = SourceSpec(
            name: "test", key: "id", fields: [.birthDate: FieldMapping(sources: ["born"])],
            dateFormats: [DatePattern("yyyy-MM-dd")!, DatePattern("yyyy/M/d")!])
        let rows = try records(
            "id,born\nK1,1985-03-12\nK2,1985/3/2\nK3,1985/12/31\nK4,19850312\nK5,1985-02-30\nK6,\nK7,1985-3-12\n",
            spec: spec)
        #expect(rows.map(\.birthDateISO) == ["1985-03-12", "1985-03-02", "1985-12-31", nil, nil, nil, nil])
        #expect(
            rows.map(\.fields.birthDate)
                == ["1985-03-12", "1985/3/2", "1985/12/31", "19850312", "1985-02-30", nil, "1985-3-12"],
            "the raw value is kept whether or not a format matched")
    }

    @Test(arguments: [
        (["yyyy-MM-dd", "yyyy-dd-MM"], "2020-01-02"),
        (["yyyy-dd-MM", "yyyy-MM-dd"], "2020-02-01"),
    ])
    func firstMatchingDateFormatWins(formats: [String], expected: String) throws {
        let spec = SourceSpec(
            name: "test", key: "id", fields: [.birthDate: FieldMapping(sources: ["born"])],
            dateFormats: formats.map { DatePattern($0)! })
        let rows = try records("id,born\nK1,2020-01-02\nK2,2020-13-01\n", spec: spec)
        #expect(rows.map(\.birthDateISO) == [expected, "2020-01-13"])
    }

    @Test func payloadKeepsThePipelineOrderAndUnknownValues() throws {
        let spec = SourceSpec(name: "test", key: "id", fields: [:], payload: ["c", "a", "b"])
        let rows = try records("id,a,b,c\nK1,1,,3\nK2,\"x\"\"y\\z\",\"l1\nl2\",\"\t\"\n", spec: spec)
        try #require(rows.count == 2)
        #expect(rows[0].payload.map(\.name) == ["c", "a", "b"])
        #expect(rows[0].payload.map(\.value) == ["3", "1", nil])
        #expect(rows[1].payload.map(\.value) == ["\t", "x\"y\\z", "l1\nl2"])
    }

    @Test func payloadOfAFieldAlsoMappedCanonically() throws {
        let spec = SourceSpec(
            name: "test", key: "id", fields: [.name: FieldMapping(sources: ["n"])], payload: ["n", "id"])
        let rows = try records("id,n\nK1,v\n", spec: spec)
        #expect(rows.first?.fields.name == "v")
        #expect(rows.first?.payload.map(\.value) == ["v", "K1"])
    }

    @Test func unmappedCanonicalFieldsStayNil() throws {
        let spec = SourceSpec(name: "test", key: "id", fields: [.phone: FieldMapping(sources: ["p"])])
        let rows = try records("id,p,name\nK1,1,x\n", spec: spec)
        let record = try #require(rows.first)
        #expect(record.fields.phone == "1")
        for field in CanonicalField.allCases where field != .phone {
            #expect(record.fields[field] == nil, "\(field)")
        }
        #expect(record.sexCode == nil)
        #expect(record.birthDateISO == nil)
        #expect(record.payload.isEmpty)
    }

    @Test func conditionOnAJoinedFieldAndSeveralValues() throws {
        let spec = SourceSpec(
            name: "test", key: "id",
            fields: [.idNumber: FieldMapping(sources: ["no"], condition: .init(field: "type", values: ["01", "03"]))])
        let rows = try records("id,type,no\nK1,01,N1\nK2,02,N2\nK3,03,N3\nK4,,N4\n", spec: spec)
        #expect(rows.map(\.fields.idNumber) == ["N1", nil, "N3", nil])
    }

    @Test func conditionCanSelectAnEmptyValue() throws {
        // An empty condition value matches a missing or empty field.
        let spec = SourceSpec(
            name: "test", key: "id",
            fields: [.idNumber: FieldMapping(sources: ["no"], condition: .init(field: "type", values: [""]))])
        let rows = try records("id,type,no\nK1,,N1\nK2,02,N2\n", spec: spec)
        #expect(rows.map(\.fields.idNumber) == ["N1", nil])
    }
}
