import ETLCore
import ETLNormalise
import Testing

/// Vectors: check characters computed independently (ISO 7064 MOD 11-2 in Python), and the
/// example number of GB 11643-1999 itself (11010519491231002X).
@Suite struct IDNumberTests {
    @Test(
        arguments: [
            ("11010519491231002X", "11010519491231002X", "1949-12-31", SexCode.female, "110105"),
            ("510107198503120036", "510107198503120036", "1985-03-12", SexCode.male, "510107"),
            ("11010519491231002x", "11010519491231002X", "1949-12-31", SexCode.female, "110105"),
            ("５１０１０７１９８５０３１２００３６", "510107198503120036", "1985-03-12", SexCode.male, "510107"),
            ("５１０１０８１９８００１３１０５９Ｘ", "51010819800131059X", "1980-01-31", SexCode.male, "510108"),
            (" 510107 19850312 0036 ", "510107198503120036", "1985-03-12", SexCode.male, "510107"),
        ] as [(String, String, String, SexCode, String)])
    func standardisesValidNumbers(text: String, standard: String, birthDate: String, sex: SexCode, region: String) {
        let number = IDNumber(text)
        #expect(number.status == .valid)
        #expect(number.original == text)
        #expect(number.standard == standard)
        #expect(number.birthDate == birthDate)
        #expect(number.sex == sex)
        #expect(number.region == region)
        #expect(!number.wasLegacy)
    }

    @Test func upgradesLegacyFifteenDigitNumbers() {
        let number = IDNumber("510104560105031")
        #expect(number.wasLegacy)
        #expect(number.status == .valid)
        #expect(number.standard == "510104195601050315")
        #expect(number.birthDate == "1956-01-05")
        #expect(number.sex == .male)
    }

    @Test(arguments: [
        "510107198503120037",  // one wrong check character
        "510107198503210036",  // two digits swapped
        "510107198503120063",  // the last two swapped
    ])
    func flagsBadCheckCharactersButKeepsWhatTheNumberHolds(text: String) {
        let number = IDNumber(text)
        #expect(number.status == .invalidChecksum)
        #expect(number.standard == text)
        #expect(number.birthDate != nil)
        #expect(number.region == "510107")
    }

    @Test(arguments: [
        "", "5101071985031200", "5101071985031200361", "51010719850312003A", "X10107198503120036",
        "510107198513120036",  // month 13
        "510107198502300036",  // 30 February
        "EA1234567",  // a passport number
        "51010456010503",  // 14 digits
    ])
    func classifiesEverythingElseAsMalformedWithoutDroppingIt(text: String) {
        let number = IDNumber(text)
        #expect(number.status == .malformed)
        #expect(number.original == text)
        #expect(number.birthDate == nil)
        #expect(number.sex == nil)
    }

    @Test func everySingleDigitErrorAndAdjacentSwapIsCaught() {
        // MOD 11-2 catches all of them, which is why two valid numbers are two people.
        let digits = Array("510107198503120036")
        for position in 0..<17 {
            for replacement in "0123456789" where replacement != digits[position] {
                var changed = digits
                changed[position] = replacement
                #expect(IDNumber(String(changed)).status != .valid)
            }
            if position < 16, digits[position] != digits[position + 1] {
                var swapped = digits
                swapped.swapAt(position, position + 1)
                #expect(IDNumber(String(swapped)).status != .valid)
            }
        }
    }

    @Test func crossChecksTheRecordsOwnBirthDateAndSex() {
        let number = IDNumber("510107198503120036")
        #expect(number.mismatches(birthDate: "1985-03-12", sex: .male).isEmpty)
        #expect(number.mismatches(birthDate: nil, sex: .unknown).isEmpty)
        #expect(
            number.mismatches(birthDate: "1985-12-03", sex: .female) == [
                .birthDate(number: "1985-03-12", record: "1985-12-03"), .sex(number: .male, record: .female),
            ])
    }
}
