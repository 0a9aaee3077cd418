import ETLCore

/// One dataset a pipeline publishes for one recipient: which residents, which columns and
/// how each is transformed, the privacy model, and the file formats.
public struct Dataset: Sendable {
    public var name: String
    public var recipient: String
    public var purpose: String
    /// Whether the dataset may hold direct identifiers (`keep` on them); such a dataset is
    /// flagged in its manifest and report, and its files are readable by their owner only.
    public var identified: Bool
    /// Every condition must hold for a resident to be included.
    public var include: [Condition]
    public var columns: [Column]
    /// The column whose values identify rows across versions, for the change file; `nil` for
    /// a dataset whose rows have no stable key (microdata).
    public var key: String?
    public var formats: [OutputFormat]
    /// k-anonymity (and optionally ℓ-diversity); required unless the dataset is identified.
    public var privacy: PrivacyModel?

    public init(
        name: String, recipient: String, purpose: String, identified: Bool = false, include: [Condition] = [],
        columns: [Column], key: String? = nil, formats: [OutputFormat] = [.csv], privacy: PrivacyModel? = nil
    ) {
        self.name = name
        self.recipient = recipient
        self.purpose = purpose
        self.identified = identified
        self.include = include
        self.columns = columns
        self.key = key
        self.formats = formats
        self.privacy = privacy
    }
}

/// One published column: its name, where its values come from, and how they are transformed.
public struct Column: Sendable, Equatable {
    public var name: String
    public var source: ValueSource
    public var transform: ColumnTransform

    public init(name: String, source: ValueSource, transform: ColumnTransform) {
        self.name = name
        self.source = source
        self.transform = transform
    }
}

/// Where a column's (or a condition's) values come from.
public enum ValueSource: Sendable, Equatable, CustomStringConvertible {
    /// A field of the resident's unified (golden) record, standardised.
    case golden(CanonicalField)
    /// The resident ID (`R0000000001`).
    case residentID
    /// Whole years of age on the snapshot date.
    case age
    case birthYear
    /// The region of the unified address (its six-digit code, named at the chosen level).
    case region
    /// The sources (departments) that hold a record of the resident, `|`-separated.
    case departments
    /// A payload field of the resident's records: from `source`, or from the first source
    /// (in the pipeline's order) whose record has it.
    case payload(field: String, source: String?)

    /// The names `from` accepts as a string.
    public static let named: [String: ValueSource] = {
        var names: [String: ValueSource] = [
            "residentId": .residentID, "age": .age, "birthYear": .birthYear, "region": .region,
            "departments": .departments,
        ]
        for field in CanonicalField.allCases { names[field.rawValue] = .golden(field) }
        return names
    }()

    public var description: String {
        switch self {
        case .golden(let field): field.rawValue
        case .residentID: "residentId"
        case .age: "age"
        case .birthYear: "birthYear"
        case .region: "region"
        case .departments: "departments"
        case .payload(let field, let source): "payload '\(field)'" + (source.map { " of \($0)" } ?? "")
        }
    }

    /// Whether a value from here identifies a person directly: name, ID number, phone, full
    /// address, resident ID.
    public var isDirectIdentifier: Bool {
        switch self {
        case .golden(let field): field != .sex && field != .birthDate
        case .residentID: true
        default: false
        }
    }

    /// The generalisation hierarchy values from here follow, if any.
    public var hierarchy: Hierarchy? {
        switch self {
        case .golden(.birthDate): .date
        case .golden(.address), .region: .region
        case .age: .age
        case .birthYear: .year
        case .payload: .number
        case .golden(.sex): .sex
        case .departments: .departments
        default: nil
        }
    }
}

/// How a column's values are published.
public enum ColumnTransform: Sendable, Equatable, CustomStringConvertible {
    /// As they are (direct identifiers only in an identified dataset).
    case keep
    /// A keyed pseudonym (`p1.` and 32 hex digits) of the standardised value.
    case pseudonym
    /// Partly starred, for display: `110101********1234`, `138****5678`, `张*`.
    case mask
    /// Generalised to `level` of the source's hierarchy; the privacy search may go up to
    /// `coarsest` (at least `level`).
    case generalise(level: Int, coarsest: Int)
    /// Published empty.
    case suppress

    public var description: String {
        switch self {
        case .keep: "keep"
        case .pseudonym: "pseudonym"
        case .mask: "mask"
        case .generalise: "generalise"
        case .suppress: "suppress"
        }
    }
}

/// A condition on a resident for inclusion in a dataset.
public struct Condition: Sendable, Equatable {
    public var source: ValueSource
    public var test: Test

    public enum Test: Sendable, Equatable {
        /// The value is one of these.
        case oneOf([String])
        /// The value is a number in this range (either end optional).
        case between(min: Double?, max: Double?)
        /// The value is present (non-empty), or absent.
        case present(Bool)
        /// For `departments`: the resident is known to this source.
        case knownTo(String)
    }

    public init(source: ValueSource, test: Test) {
        self.source = source
        self.test = test
    }
}

/// A published file format.
public enum OutputFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl
    case sqlite

    /// The data file's name inside a version folder.
    public var fileName: String { "data." + rawValue }

    var mediaType: String {
        switch self {
        case .csv: "text/csv"
        case .jsonl: "application/jsonl"
        case .sqlite: "application/vnd.sqlite3"
        }
    }
}

/// k-anonymity over the quasi-identifiers, with a suppression limit, and optional distinct
/// ℓ-diversity of a sensitive column.
public struct PrivacyModel: Sendable, Equatable {
    public var k: Int
    /// The largest share of included residents that may be left out to reach k.
    public var suppressionLimit: Double
    /// Column names.
    public var quasiIdentifiers: [String]
    /// Column name and ℓ, for distinct ℓ-diversity.
    public var sensitive: (column: String, l: Int)?

    public init(
        k: Int = 5, suppressionLimit: Double = 0.05, quasiIdentifiers: [String],
        sensitive: (column: String, l: Int)? = nil
    ) {
        self.k = k
        self.suppressionLimit = suppressionLimit
        self.quasiIdentifiers = quasiIdentifiers
        self.sensitive = sensitive
    }

    public static func == (lhs: PrivacyModel, rhs: PrivacyModel) -> Bool {
        lhs.k == rhs.k && lhs.suppressionLimit == rhs.suppressionLimit && lhs.quasiIdentifiers == rhs.quasiIdentifiers
            && lhs.sensitive?.column == rhs.sensitive?.column && lhs.sensitive?.l == rhs.sensitive?.l
    }
}

/// Where the master key comes from; never the key itself.
public enum KeySource: Sendable, Equatable {
    /// A key file at this path.
    case file(String)
    /// The key itself, in this environment variable.
    case environment(String)
    /// A key file whose path is in this environment variable. With `demoKey`, a key is
    /// generated in the state folder on first use when the variable is unset: for demos only.
    case fileFromEnvironment(String, demoKey: Bool)
}

/// The `publish` section of a pipeline: where snapshots go, the key, and the datasets.
public struct PublishSettings: Sendable {
    /// The publish folder; `nil` for `published` in the state folder.
    public var folder: String?
    public var key: KeySource?
    public var keyVersion: Int
    /// Versions kept per dataset (the current one is never removed).
    public var retain: Int
    public var datasets: [Dataset]

    public init(folder: String?, key: KeySource?, keyVersion: Int = 1, retain: Int = 10, datasets: [Dataset]) {
        self.folder = folder
        self.key = key
        self.keyVersion = keyVersion
        self.retain = retain
        self.datasets = datasets
    }
}
