/// One record as a source sent it, mapped to canonical fields but not yet standardised.
public struct SourceRecord: Sendable, Equatable {
    /// The record key, unique within a source's export (for example 个人编号).
    public var key: String
    /// Canonical fields as read (after joining parts); `nil` means unknown.
    public var fields: CanonicalValues
    /// The sex code after the pipeline's value map, or `nil` when the value is not in the map.
    public var sexCode: SexCode?
    /// The birth date as `yyyy-MM-dd` when it matched one of the pipeline's date formats.
    public var birthDateISO: String?
    /// Payload fields carried through untouched, in the order the pipeline lists them.
    public var payload: [PayloadValue]
    /// Where the record was read.
    public var location: RecordLocation

    public init(
        key: String, fields: CanonicalValues, sexCode: SexCode? = nil, birthDateISO: String? = nil,
        payload: [PayloadValue] = [], location: RecordLocation
    ) {
        self.key = key
        self.fields = fields
        self.sexCode = sexCode
        self.birthDateISO = birthDateISO
        self.payload = payload
        self.location = location
    }
}

/// A payload field: its name in the source and its value (`nil` when missing or empty).
public struct PayloadValue: Sendable, Equatable {
    public var name: String
    public var value: String?

    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }
}

/// The six canonical fields of a record, each optional. Stored inline (no array), since a
/// record is built for every row read.
public struct CanonicalValues: Sendable, Equatable {
    public var name: String?
    public var idNumber: String?
    public var sex: String?
    public var birthDate: String?
    public var phone: String?
    public var address: String?

    public init() {}

    public init(_ values: [CanonicalField: String]) {
        for (field, value) in values { self[field] = value }
    }

    public subscript(field: CanonicalField) -> String? {
        get {
            switch field {
            case .name: name
            case .idNumber: idNumber
            case .sex: sex
            case .birthDate: birthDate
            case .phone: phone
            case .address: address
            }
        }
        set {
            switch field {
            case .name: name = newValue
            case .idNumber: idNumber = newValue
            case .sex: sex = newValue
            case .birthDate: birthDate = newValue
            case .phone: phone = newValue
            case .address: address = newValue
            }
        }
    }
}
