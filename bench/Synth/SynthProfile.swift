/// How dirty and how hard the generated registers are.
public struct SynthProfile: Sendable {
    public var name: String
    /// Shares of persons: twins (each of a pair), namesakes (same common name and birth date as
    /// someone else), and a common name.
    public var twinShare: Double
    public var namesakeShare: Double
    public var commonNameShare: Double
    /// Household sizes, drawn uniformly.
    public var householdSizes: ClosedRange<Int>
    /// Share of households whose members give one shared phone.
    public var sharedPhoneShare: Double
    /// Per record: a second record of the same person in the same department.
    public var duplicateInSource: Double
    // Dirt, per record.
    public var idMissing: Double
    public var idTypo: Double
    public var idTransposed: Double
    public var idLegacy: Double
    public var idFullWidth: Double
    public var nameSpace: Double
    public var nameHomophone: Double
    public var nameDropped: Double
    public var birthMissing: Double
    public var birthSwapped: Double
    public var birthTypo: Double
    public var phoneMissing: Double
    public var phoneChanged: Double
    public var phoneTypo: Double
    public var addressMoved: Double
    public var addressMissing: Double

    /// A district's registers as they usually are: mostly clean, ID numbers nearly always given.
    public static let standard = SynthProfile(
        name: "default", twinShare: 0.01, namesakeShare: 0.01, commonNameShare: 0.08, householdSizes: 1...4,
        sharedPhoneShare: 0.3, duplicateInSource: 0.02, idMissing: 0.03, idTypo: 0.01, idTransposed: 0.005,
        idLegacy: 0.01, idFullWidth: 0.02, nameSpace: 0.03, nameHomophone: 0.01, nameDropped: 0.003,
        birthMissing: 0.02, birthSwapped: 0.003, birthTypo: 0.003, phoneMissing: 0.05, phoneChanged: 0.05,
        phoneTypo: 0.01, addressMoved: 0.05, addressMissing: 0.02)

    /// A messy district where the ID number is no crutch.
    public static let hard = SynthProfile(
        name: "hard", twinShare: 0.03, namesakeShare: 0.03, commonNameShare: 0.15, householdSizes: 2...6,
        sharedPhoneShare: 0.6, duplicateInSource: 0.05, idMissing: 0.20, idTypo: 0.04, idTransposed: 0.02,
        idLegacy: 0.05, idFullWidth: 0.05, nameSpace: 0.05, nameHomophone: 0.05, nameDropped: 0.02,
        birthMissing: 0.10, birthSwapped: 0.01, birthTypo: 0.01, phoneMissing: 0.15, phoneChanged: 0.20,
        phoneTypo: 0.03, addressMoved: 0.25, addressMissing: 0.05)

    public static func named(_ name: String) -> SynthProfile? {
        switch name {
        case "default": .standard
        case "hard": .hard
        default: nil
        }
    }
}
