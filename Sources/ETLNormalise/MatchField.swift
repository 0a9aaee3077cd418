/// A field the match model compares, with its comparison levels from "disagrees" (0) up to
/// "agrees exactly" (the last). A pair where either record lacks the field has no level for
/// it, and the field then counts neither for nor against the match.
public enum MatchField: Int, CaseIterable, Sendable, Codable {
    case idNumber
    case name
    case birthDate
    case sex
    case phone
    case address

    /// The names of the levels, lowest first, as the model file and explanations show them.
    public var levels: [String] {
        switch self {
        case .idNumber: ["different", "one edit or transposition", "exact"]
        case .name: ["different", "similar (Jaro-Winkler ≥ 0.8)", "close (Jaro-Winkler ≥ 0.9)", "same pinyin", "exact"]
        case .birthDate: ["different", "one of year, month or day differs", "day and month swapped", "exact"]
        case .sex: ["different", "same"]
        case .phone: ["different", "one edit or transposition", "exact"]
        case .address: ["different", "same district", "most words shared", "exact"]
        }
    }

    /// The name used in the pipeline file, the model and explanations.
    public var name: String {
        switch self {
        case .idNumber: "idNumber"
        case .name: "name"
        case .birthDate: "birthDate"
        case .sex: "sex"
        case .phone: "phone"
        case .address: "address"
        }
    }

    /// The level of an exact agreement.
    var exactLevel: Int { levels.count - 1 }

    /// Whether an exact agreement is weighted by how common the value is.
    var hasTermFrequency: Bool { self == .name || self == .phone || self == .address }
}

/// The levels of one compared pair, four bits per field; `missing` where a record lacks it.
struct ComparisonVector: Hashable, Comparable, Sendable {
    static let missing: UInt8 = 0xF
    var bits: UInt32

    init() {
        bits = 0xFF_FFFF
    }

    init(bits: UInt32) {
        self.bits = bits
    }

    subscript(field: MatchField) -> UInt8 {
        get { UInt8((bits >> (UInt32(field.rawValue) * 4)) & 0xF) }
        set {
            let shift = UInt32(field.rawValue) * 4
            bits = (bits & ~(0xF << shift)) | (UInt32(newValue) << shift)
        }
    }

    static func < (lhs: ComparisonVector, rhs: ComparisonVector) -> Bool { lhs.bits < rhs.bits }
}
