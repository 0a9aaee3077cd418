import Foundation

/// A person's name as standardised from one record, with the original value kept beside it.
public struct PersonName: Sendable, Equatable {
    /// The value as the record gave it.
    public var original: String
    /// The standard form. Chinese names: NFKC, no white space, one middle dot (U+00B7)
    /// between the parts of a minority name. Latin names: NFKC, white space collapsed, the
    /// word order kept.
    public var standard: String
    /// A toneless pinyin key for comparing names that sound alike (章伟 and 张伟 are both
    /// `zhangwei`): lower-case letters only, for Latin names too.
    public var pinyinKey: String
    /// Whether the name is written in Chinese characters.
    public var isChinese: Bool
}

/// Standardises names. Holds a cache of each character's pinyin, because the transform
/// behind it is slow (about 11 µs a call); use one standardiser per thread.
public final class NameStandardiser {
    private var pinyin: [Unicode.Scalar: String] = [:]

    public init() {}

    /// The middle dots people type between the parts of a minority name.
    private static let middleDots: Set<Unicode.Scalar> = [
        "\u{00B7}", "\u{30FB}", "\u{2022}", "\u{2027}", ".", "\u{FF0E}",
    ]

    /// Standardises `text`.
    public func standardise(_ text: String) -> PersonName {
        let normalised = text.compatibilityNormalised
        let isChinese = normalised.unicodeScalars.contains { NameStandardiser.isHan($0) }
        var standard = String.UnicodeScalarView()
        var key = ""
        if isChinese {
            for scalar in normalised.unicodeScalars {
                if scalar.properties.isWhitespace { continue }
                if NameStandardiser.middleDots.contains(scalar) {
                    standard.append("\u{00B7}")
                    continue
                }
                standard.append(scalar)
                key += NameStandardiser.isHan(scalar) ? syllable(scalar) : keyPart(scalar)
            }
        } else {
            var pendingSpace = false
            for scalar in normalised.unicodeScalars {
                if scalar.properties.isWhitespace {
                    pendingSpace = !standard.isEmpty
                    continue
                }
                if pendingSpace { standard.append(" ") }
                pendingSpace = false
                standard.append(scalar)
                key += keyPart(scalar)
            }
        }
        return PersonName(original: text, standard: String(standard), pinyinKey: key, isChinese: isChinese)
    }

    /// The toneless pinyin of one Han character, from the cache.
    private func syllable(_ scalar: Unicode.Scalar) -> String {
        if let cached = pinyin[scalar] { return cached }
        let latin =
            String(Character(scalar)).applyingTransform(.mandarinToLatin, reverse: false)?
            .applyingTransform(.stripDiacritics, reverse: false) ?? String(Character(scalar))
        let syllable = String(latin.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic })
        pinyin[scalar] = syllable
        return syllable
    }

    /// A Latin letter or digit, lower-cased and without accents; nothing for punctuation.
    private func keyPart(_ scalar: Unicode.Scalar) -> String {
        guard scalar.properties.isAlphabetic || scalar.properties.numericType != nil else { return "" }
        let text = String(Character(scalar))
        return (text.applyingTransform(.stripDiacritics, reverse: false) ?? text).lowercased()
    }

    /// Whether `scalar` is a CJK unified ideograph (including the extension blocks).
    static func isHan(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x323AF: true
        default: false
        }
    }
}
