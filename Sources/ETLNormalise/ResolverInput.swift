import ETLCore

/// One current staged record as the resolver reads it: its place (source and key) and its
/// canonical fields as imported, before standardisation.
public struct ResolverInput: Sendable, Equatable {
    /// The source's position in the pipeline (0 for the first source).
    public var source: Int
    /// The record key, unique within the source.
    public var key: String
    public var name: String?
    public var idNumber: String?
    /// The sex code after the pipeline's value map.
    public var sexCode: SexCode?
    /// The birth date as `yyyy-MM-dd`, when one of the pipeline's date formats read it.
    public var birthDate: String?
    public var phone: String?
    public var address: String?
    /// The run that staged the record: a larger run is a more recent export.
    public var runID: Int64

    public init(
        source: Int, key: String, name: String? = nil, idNumber: String? = nil, sexCode: SexCode? = nil,
        birthDate: String? = nil, phone: String? = nil, address: String? = nil, runID: Int64 = 0
    ) {
        self.source = source
        self.key = key
        self.name = name
        self.idNumber = idNumber
        self.sexCode = sexCode
        self.birthDate = birthDate
        self.phone = phone
        self.address = address
        self.runID = runID
    }
}
