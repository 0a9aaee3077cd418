import Foundation

extension String {
    /// The text in Unicode normalisation form KC, which turns full-width digits and letters
    /// into ASCII (１２３ into 123, Ｘ into X). Text made only of ASCII, the middle dot U+00B7
    /// and CJK ideographs from U+4000 to U+9FFF (almost every name and address) is already in
    /// that form, and is returned as it is without the slow Foundation call.
    var compatibilityNormalised: String {
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case 0..<0x80:
                continue
            case 0xC2:
                guard iterator.next() == 0xB7 else { return precomposedStringWithCompatibilityMapping }
            case 0xE4...0xE9:
                _ = iterator.next()
                _ = iterator.next()
            default:
                return precomposedStringWithCompatibilityMapping
            }
        }
        return self
    }
}
