/// A field every source maps to: the shared vocabulary of the resident register.
public enum CanonicalField: String, CaseIterable, Sendable, Codable {
    case name
    case idNumber
    case sex
    case birthDate
    case phone
    case address
}

/// The canonical sex codes of GB/T 2261.1, the one code every source's values map to.
public enum SexCode: String, CaseIterable, Sendable {
    case unknown = "0"
    case male = "1"
    case female = "2"
    case unstated = "9"
}
