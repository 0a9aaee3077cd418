import ETLCore

/// A generalisation hierarchy: the levels a kind of value can be coarsened to, finest first,
/// ending in `any` (every value the same `*`).
public enum Hierarchy: String, Sendable, CaseIterable {
    /// A date (yyyymmdd): month, year, 5-year band.
    case date
    /// Age in whole years, top-coded at 90+: exact, 5-, 10- and 20-year bands.
    case age
    /// A year, top-coded at 90 years before the snapshot: exact, 5- and 10-year bands.
    case year
    /// A region code: district, city, province.
    case region
    /// A whole number: ranges of 1 to 1000.
    case number
    /// A sex code: the code, or nothing.
    case sex
    /// The departments that know a resident: which ones, or how many.
    case departments

    /// Level names, finest first.
    public var levels: [String] {
        switch self {
        case .date: ["month", "year", "band5", "any"]
        case .age: ["exact", "band5", "band10", "band20", "any"]
        case .year: ["exact", "band5", "band10", "any"]
        case .region: ["district", "city", "province", "any"]
        case .number: Hierarchy.rangeWidths.map { "range\($0)" } + ["any"]
        case .sex: ["code", "any"]
        case .departments: ["list", "count", "any"]
        }
    }

    static let rangeWidths: [Int64] = [1, 2, 5, 10, 20, 50, 100, 1000]
    /// Ages from here on are published as `90+`.
    static let topAge: Int64 = 90
    /// The raw value of a missing one.
    static let missing = Int64.min

    /// The class code of `raw` at `level`: equal codes, equal published labels.
    func code(_ raw: Int64, level: Int, context: HierarchyContext) -> Int64 {
        if level == levels.count - 1 { return 0 }
        if raw == Hierarchy.missing { return Hierarchy.missing }
        switch self {
        case .date:
            switch level {
            case 0: return raw / 100
            case 1: return raw / 10000
            default: return (raw / 10000).floorDivided(by: 5)
            }
        case .age:
            let age = min(raw, Hierarchy.topAge)
            if level == 0 || age == Hierarchy.topAge { return age }
            return age.floorDivided(by: [5, 10, 20][level - 1])
        case .year:
            if raw <= context.topCodedYear { return Int64.min + 1 }
            return level == 0 ? raw : raw.floorDivided(by: [5, 10][level - 1])
        case .region:
            return level == 0 ? raw : (level == 1 ? raw / 100 : raw / 10000)
        case .number:
            return raw.floorDivided(by: Hierarchy.rangeWidths[level])
        case .sex:
            return raw
        case .departments:
            return level == 0 ? raw : Int64(UInt64(bitPattern: raw).nonzeroBitCount)
        }
    }

    /// The published label of `raw` at `level`, or `nil` for a missing value.
    func label(_ raw: Int64, level: Int, context: HierarchyContext) -> String? {
        if level == levels.count - 1 { return "*" }
        if raw == Hierarchy.missing { return nil }
        switch self {
        case .date:
            let year = raw / 10000
            switch level {
            case 0:
                let month = raw / 100 % 100
                return "\(year)-" + (month < 10 ? "0" : "") + "\(month)"
            case 1: return "\(year)"
            default:
                let start = year.floorDivided(by: 5) * 5
                return "\(start)-\(start + 4)"
            }
        case .age:
            let age = min(raw, Hierarchy.topAge)
            if age == Hierarchy.topAge { return "90+" }
            if level == 0 { return "\(age)" }
            let width: Int64 = [5, 10, 20][level - 1]
            let start = age.floorDivided(by: width) * width
            return "\(start)-\(min(start + width - 1, Hierarchy.topAge - 1))"
        case .year:
            if raw <= context.topCodedYear { return "<=\(context.topCodedYear)" }
            if level == 0 { return "\(raw)" }
            let width: Int64 = [5, 10][level - 1]
            let start = raw.floorDivided(by: width) * width
            return "\(max(start, context.topCodedYear + 1))-\(start + width - 1)"
        case .region:
            let code = level == 0 ? raw : (level == 1 ? raw / 100 * 100 : raw / 10000 * 10000)
            let digits = String(code)
            guard digits.utf8.count == 6 else { return nil }
            let names = RegionTable.shared.hierarchy(of: digits).map(\.name)
            return names.isEmpty ? digits : names.joined()
        case .number:
            let width = Hierarchy.rangeWidths[level]
            let start = raw.floorDivided(by: width) * width
            return width == 1 ? "\(start)" : "\(start)-\(start + width - 1)"
        case .sex:
            return String(UnicodeScalar(UInt8(truncatingIfNeeded: raw)))
        case .departments:
            let mask = UInt64(bitPattern: raw)
            if level == 1 { return String(mask.nonzeroBitCount) }
            return ResidentTable.departmentList(mask, sources: context.sources)
        }
    }
}

/// What hierarchies need to know about the snapshot.
struct HierarchyContext: Sendable {
    /// Birth years up to this one are published as `<=year` (age 90 and over).
    var topCodedYear: Int64
    /// The pipeline's sources, in its order, which department sets are bits of.
    var sources: [String]
}

extension Int64 {
    /// Division rounding towards negative infinity.
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
