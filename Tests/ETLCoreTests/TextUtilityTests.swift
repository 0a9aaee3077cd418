import ETLCore
import Testing

@Suite struct TextUtilityTests {
    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func sha256StreamsInChunks() {
        let text = Array(String(repeating: "abcdefgh", count: 1000).utf8)
        let hasher = SHA256()
        text[0..<3].withUnsafeBytes { hasher.update($0) }
        text[3...].withUnsafeBytes { hasher.update($0) }
        #expect(hasher.finalizeHex() == SHA256.hex(of: text))
    }

    @Test(arguments: [
        ("idNo", ["name", "idNumber", "sex"], "idNumber"),
        ("nmae", ["name", "idNumber"], "name"),
        ("birthdate", ["birthDate", "phone"], "birthDate"),
        ("fomat", ["format", "files"], "format"),
        ("recordElem", ["recordElement"], "recordElement"),
    ])
    func suggestsCloseNames(name: String, candidates: [String], expected: String) {
        #expect(Suggestion.closest(to: name, in: candidates) == expected)
    }

    @Test func suggestsNothingForUnrelatedNames() {
        #expect(Suggestion.closest(to: "colour", in: ["name", "idNumber"]) == nil)
    }

    @Test(
        arguments: [
            ([0x61, 0x62], nil),
            ([0xE5, 0xBC, 0xA0], nil),
            ([0xF0, 0xAA, 0x9A, 0xA5], nil),
            ([0x61, 0xC0, 0xAF], 1),  // overlong '/'
            ([0xED, 0xA0, 0x80], 0),  // a surrogate
            ([0xF4, 0x90, 0x80, 0x80], 0),  // above U+10FFFF
            ([0x61, 0xE5, 0xBC], 1),  // cut short
            ([0xFF], 0),
        ] as [([UInt8], Int?)])
    func validatesUTF8Strictly(bytes: [UInt8], firstInvalid: Int?) {
        let result = bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalid($0) }
        #expect(result == firstInvalid)
    }

    @Test func textPositionCountsCharactersNotBytes() {
        let text = Array("ab\n张伟x".utf8)
        let position = text.withUnsafeBufferPointer { TextPosition.of(offset: 9, in: $0) }
        #expect(position.line == 2)
        #expect(position.column == 3)
    }

    @Test func timestampsAreISO8601UTC() {
        #expect(Timestamp.format(seconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(seconds: 1_795_000_000, milliseconds: 7) == "2026-11-18T11:06:40.007Z")
    }

    @Test func timestampsReadBackToTheirSeconds() {
        #expect(Timestamp.seconds(Timestamp.format(seconds: 1_795_000_000, milliseconds: 250)) == 1_795_000_000.25)
        #expect(Timestamp.seconds("2026-11-27T00:00:00.000Z") == 1_795_737_600)
        #expect(Timestamp.seconds("yesterday") == nil)
    }
}
