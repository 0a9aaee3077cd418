/// A date format from a pipeline file, such as `yyyy-MM-dd`, `yyyy/M/d` or `yyyyMMdd`.
///
/// Tokens: `yyyy` a four-digit year, `MM`/`dd` two digits, `M`/`d` one or two digits.
/// Any other character must appear literally. Matching works on UTF-8 bytes.
public struct DatePattern: Sendable, Equatable {
    private enum Token: Sendable, Equatable {
        case year
        case month(fixedWidth: Bool)
        case day(fixedWidth: Bool)
        case literal([UInt8])

        var isVariableWidth: Bool {
            switch self {
            case .month(let fixed), .day(let fixed): !fixed
            case .year, .literal: false
            }
        }
    }

    /// The pattern as written in the pipeline file.
    public let pattern: String
    private let tokens: [Token]

    /// Compiles `pattern`, or returns `nil` when it lacks a year, month or day
    /// (`DatePattern.problem(in:)` says which).
    public init?(_ pattern: String) {
        guard DatePattern.problem(in: pattern) == nil else { return nil }
        self.pattern = pattern
        self.tokens = DatePattern.tokenize(pattern)
    }

    /// What is wrong with `pattern`, or `nil` when it is usable.
    public static func problem(in pattern: String) -> String? {
        let tokens = tokenize(pattern)
        var years = 0
        var months = 0
        var days = 0
        for token in tokens {
            switch token {
            case .year: years += 1
            case .month: months += 1
            case .day: days += 1
            case .literal: break
            }
        }
        if years != 1 || months != 1 || days != 1 {
            return "a date format needs exactly one 'yyyy', one 'MM' or 'M' and one 'dd' or 'd'"
        }
        for (first, second) in zip(tokens, tokens.dropFirst()) {
            if case .literal = first { continue }
            if case .literal = second { continue }
            if first.isVariableWidth || second.isVariableWidth {
                return "'M' and 'd' need a separator next to them; use 'MM' and 'dd' for fixed widths"
            }
        }
        return nil
    }

    private static func tokenize(_ pattern: String) -> [Token] {
        var tokens: [Token] = []
        let bytes = Array(pattern.utf8)
        var i = 0
        while i < bytes.count {
            let run = bytes[i...].prefix { $0 == bytes[i] }.count
            switch (bytes[i], run) {
            case (UInt8(ascii: "y"), 4):
                tokens.append(.year)
            case (UInt8(ascii: "M"), 1), (UInt8(ascii: "M"), 2):
                tokens.append(.month(fixedWidth: run == 2))
            case (UInt8(ascii: "d"), 1), (UInt8(ascii: "d"), 2):
                tokens.append(.day(fixedWidth: run == 2))
            default:
                if case .literal(let previous) = tokens.last {
                    tokens[tokens.count - 1] = .literal(previous + bytes[i..<(i + run)])
                } else {
                    tokens.append(.literal(Array(bytes[i..<(i + run)])))
                }
            }
            i += run
        }
        return tokens
    }

    /// The date as `yyyy-MM-dd` when `text` matches this pattern and is a real calendar date.
    public func isoDate(from text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes in
            isoDate(bytes).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// The date as the ten bytes of `yyyy-MM-dd` when `bytes` match this pattern and are a
    /// real calendar date. Works on bytes, for the import's hot loop.
    public func isoDate(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var i = 0
        var year = 0
        var month = 0
        var day = 0
        for token in tokens {
            switch token {
            case .year:
                guard let value = digits(bytes, &i, min: 4, max: 4) else { return nil }
                year = value
            case .month(let fixed):
                guard let value = digits(bytes, &i, min: fixed ? 2 : 1, max: 2) else { return nil }
                month = value
            case .day(let fixed):
                guard let value = digits(bytes, &i, min: fixed ? 2 : 1, max: 2) else { return nil }
                day = value
            case .literal(let literal):
                guard i + literal.count <= bytes.count else { return nil }
                for offset in 0..<literal.count where bytes[i + offset] != literal[offset] {
                    return nil
                }
                i += literal.count
            }
        }
        guard i == bytes.count, DatePattern.isValid(year: year, month: month, day: day) else { return nil }
        let zero = UInt8(ascii: "0")
        let dash = UInt8(ascii: "-")
        return [
            zero + UInt8(year / 1000), zero + UInt8(year / 100 % 10), zero + UInt8(year / 10 % 10),
            zero + UInt8(year % 10), dash, zero + UInt8(month / 10), zero + UInt8(month % 10), dash,
            zero + UInt8(day / 10), zero + UInt8(day % 10),
        ]
    }

    private func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ i: inout Int, min: Int, max: Int) -> Int? {
        var value = 0
        var count = 0
        while count < max, i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 {
            value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
            i += 1
            count += 1
        }
        return count >= min ? value : nil
    }

    /// Whether year-month-day is a date of the Gregorian calendar (years 1000-9999).
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1000...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// `yyyy-MM-dd`.
    public static func iso(year: Int, month: Int, day: Int) -> String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        let d = day < 10 ? "0\(day)" : "\(day)"
        return "\(year)-\(m)-\(d)"
    }
}
