import ETLCore
import Foundation

/// A resident ID number (居民身份证号码, GB 11643-1999) as standardised from one record, with
/// the original value kept beside it. Standardising never drops a number: one that cannot be
/// read is kept and classified as malformed.
public struct IDNumber: Sendable, Equatable {
    /// How far a number could be read.
    public enum Status: String, Sendable, Equatable {
        /// 18 characters whose ISO 7064 MOD 11-2 check character is right.
        case valid
        /// 18 well-formed characters (or a legacy 15-digit number) whose check character is
        /// wrong: most likely a typing error, such as one wrong or two swapped digits.
        case invalidChecksum
        /// Not an ID number's shape: wrong length, other characters, or no real birth date.
        case malformed
    }

    /// The value as the record gave it.
    public var original: String
    /// The standardised number: 18 characters, ASCII digits and an upper-case X. For a legacy
    /// 15-digit number, its 18-digit form. For a malformed one, the cleaned text.
    public var standard: String
    public var status: Status
    /// Whether the record gave the legacy 15-digit form.
    public var wasLegacy: Bool
    /// The birth date the number holds, as `yyyy-MM-dd`; `nil` for a malformed number.
    public var birthDate: String?
    /// The sex the number holds (odd sequence: male, even: female); `nil` for a malformed number.
    public var sex: SexCode?
    /// The six-digit administrative-division code where the number was issued.
    public var region: String?

    /// The weights of the first 17 characters in the ISO 7064 MOD 11-2 sum.
    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// The check character for each remainder of the weighted sum modulo 11.
    static let checkCharacters = Array("10X98765432".utf8)

    /// Standardises `text`: compatibility-normalises it (full-width ０-９ and Ｘ become ASCII),
    /// removes white space, upper-cases x, upgrades a 15-digit number to 18 digits, checks the
    /// check character and reads the birth date, sex and region.
    public init(_ text: String) {
        original = text
        wasLegacy = false
        birthDate = nil
        sex = nil
        region = nil
        var cleaned = Array(IDNumber.normalise(text).utf8)
        cleaned.removeAll { $0 == 0x20 || $0 == 0x09 }
        for index in cleaned.indices where cleaned[index] == UInt8(ascii: "x") {
            cleaned[index] = UInt8(ascii: "X")
        }
        if cleaned.count == 15, cleaned.allSatisfy(IDNumber.isDigit) {
            // Legacy numbers (before 1999) have a two-digit year of the 1900s and no check character.
            wasLegacy = true
            var upgraded = Array(cleaned[0..<6]) + Array("19".utf8) + Array(cleaned[6..<15])
            upgraded.append(IDNumber.checkCharacter(for: upgraded))
            cleaned = upgraded
        }
        standard = String(decoding: cleaned, as: UTF8.self)
        guard cleaned.count == 18, cleaned[0..<17].allSatisfy(IDNumber.isDigit),
            IDNumber.isDigit(cleaned[17]) || cleaned[17] == UInt8(ascii: "X"),
            let date = IDNumber.birthDate(in: cleaned)
        else {
            status = .malformed
            return
        }
        status = IDNumber.checkCharacter(for: Array(cleaned[0..<17])) == cleaned[17] ? .valid : .invalidChecksum
        birthDate = date
        sex = (cleaned[16] - UInt8(ascii: "0")) % 2 == 1 ? .male : .female
        region = String(decoding: cleaned[0..<6], as: UTF8.self)
    }

    /// The check character for the first 17 digits.
    static func checkCharacter(for digits: [UInt8]) -> UInt8 {
        var sum = 0
        for (digit, weight) in zip(digits, weights) {
            sum += Int(digit - UInt8(ascii: "0")) * weight
        }
        return checkCharacters[sum % 11]
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// The birth date in characters 7–14, when it is a real date no later than today's year.
    private static func birthDate(in bytes: [UInt8]) -> String? {
        func number(_ range: Range<Int>) -> Int {
            bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        let year = number(6..<10)
        let month = number(10..<12)
        let day = number(12..<14)
        guard year >= 1850, DatePattern.isValid(year: year, month: month, day: day) else { return nil }
        return DatePattern.iso(year: year, month: month, day: day)
    }

    /// NFKC, done by Foundation only when the text is not plain ASCII (the usual case).
    private static func normalise(_ text: String) -> String {
        text.compatibilityNormalised
    }
}

extension IDNumber {
    /// A disagreement between what the number holds and what the record says.
    public enum Mismatch: Sendable, Equatable {
        case birthDate(number: String, record: String)
        case sex(number: SexCode, record: SexCode)
    }

    /// Compares the birth date and sex the number holds with the record's own (ISO date and
    /// sex code, as the importer stages them). Unknown values on either side are not compared.
    public func mismatches(birthDate recordDate: String?, sex recordSex: SexCode?) -> [Mismatch] {
        var found: [Mismatch] = []
        if let birthDate, let recordDate, birthDate != recordDate {
            found.append(.birthDate(number: birthDate, record: recordDate))
        }
        if let sex, let recordSex, recordSex == .male || recordSex == .female, sex != recordSex {
            found.append(.sex(number: sex, record: recordSex))
        }
        return found
    }
}
