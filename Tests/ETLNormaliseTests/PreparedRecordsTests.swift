import Testing

@testable import ETLNormalise

/// The interner and flat columns that resolution's standardised records are held in.
@Suite struct PreparedRecordsTests {
    /// Many synthetic values, some repeated, with the table grown many times over.
    private func values() -> [String] {
        (0..<5000).map { "芳草街\($0 % 3001)号" }
    }

    @Test(arguments: [true, false])
    func theSameValueGetsTheSameIntegerAndANewOneTheNext(keepingBytes: Bool) {
        var interner = Interner(keepingBytes: keepingBytes)
        var seen: [String: Int32] = [:]
        for value in values() {
            let (id, isNew) = interner.intern(value)
            #expect(isNew == (seen[value] == nil))
            if let earlier = seen[value] {
                #expect(id == earlier)
            } else {
                #expect(Int(id) == seen.count)
                seen[value] = id
            }
        }
        #expect(interner.count == 3001)
        interner.compact()
        #expect(interner.intern("芳草街17号") == (seen["芳草街17号"]!, false))
        if keepingBytes {
            #expect(interner.string(seen["芳草街3000号"]!) == "芳草街3000号")
        }
    }

    @Test func theSurnameIsACompoundSurnameOrTheFirstCharacterOrALatinNamesLastWord() {
        let names = ["欧阳晓伟", "欧阳", "司马懿", "张伟", "欧", "阳欧晓", "John Smith"]
        var given = names.enumerated().map { ResolverInput(source: 0, key: "k\($0.offset)", name: $0.element) }
        let prepared = PreparedRecords { limit in
            defer { given.removeFirst(min(limit, given.count)) }
            return Array(given.prefix(limit))
        }
        #expect(
            (0..<prepared.count).map { prepared.surnames.string(prepared.surname[$0]) }
                == ["欧阳", "欧阳", "司马", "张", "欧", "阳", "Smith"])
    }

    @Test func compactingKeepsTheElements() {
        var column: [Int32] = []
        for value in 0..<100_000 { column.append(Int32(value)) }
        let compacted = column.compacted()
        #expect(compacted == column)
        #expect(compacted.capacity < column.capacity)
    }
}
