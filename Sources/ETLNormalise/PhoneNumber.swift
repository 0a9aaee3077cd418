import Foundation

/// A phone number as standardised from one record, with the original value kept beside it.
public struct PhoneNumber: Sendable, Equatable {
    /// What kind of number it is.
    public enum Kind: String, Sendable, Equatable {
        /// An 11-digit mobile number (1 then 3–9).
        case mobile
        /// A fixed line with its area code (0 then 2–3 digits), such as 028-85551234.
        case landline
        /// A fixed line of 7 or 8 digits without an area code.
        case localLandline
        /// Not a phone number's shape; kept as cleaned.
        case invalid
    }

    /// The value as the record gave it.
    public var original: String
    /// Digits only, without a country code: `13812345678`, `02885551234`.
    public var standard: String
    public var kind: Kind

    /// Standardises `text`: compatibility-normalises it (full-width digits become ASCII),
    /// drops spaces, dashes, dots and brackets, strips the country code (+86, 0086, or 86
    /// before a mobile number) and classifies what is left.
    public init(_ text: String) {
        original = text
        let normalised = text.compatibilityNormalised
        var digits: [UInt8] = []
        var other = false
        for byte in normalised.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"),
                UInt8(ascii: "+"), 0x09:
                continue
            default: other = true
            }
        }
        let international = normalised.utf8.contains(UInt8(ascii: "+"))
        var hadCountryCode = false
        if digits.starts(with: Array("0086".utf8)) {
            digits.removeFirst(4)
            hadCountryCode = true
        } else if digits.starts(with: Array("86".utf8)),
            international || (digits.count == 13 && digits[2] == UInt8(ascii: "1"))
        {
            digits.removeFirst(2)
            hadCountryCode = true
        }
        // In the international form a fixed line drops its area code's leading 0: +86 28 8555 1234.
        if hadCountryCode, !PhoneNumber.isMobile(digits), let first = digits.first, first != UInt8(ascii: "0") {
            digits.insert(UInt8(ascii: "0"), at: 0)
        }
        standard = String(decoding: digits, as: UTF8.self)
        guard !other else {
            kind = .invalid
            return
        }
        switch (digits.first, digits.count) {
        case _ where PhoneNumber.isMobile(digits):
            kind = .mobile
        case (UInt8(ascii: "0")?, 10...12) where digits[1] != UInt8(ascii: "0"):
            kind = .landline
        case (let first?, 7...8) where first != UInt8(ascii: "0") && first != UInt8(ascii: "1"):
            kind = .localLandline
        default:
            kind = .invalid
        }
    }

    /// 11 digits, 1 then 3–9.
    private static func isMobile(_ digits: [UInt8]) -> Bool {
        digits.count == 11 && digits[0] == UInt8(ascii: "1")
            && (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(digits[1])
    }
}
