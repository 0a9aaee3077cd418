/// `datapackage.json`: a Frictionless Data Package describing one snapshot version, with an
/// `x-etl` block for where it came from.
public struct DataPackage: Codable, Sendable, Equatable {
    public var profile = "data-package"
    public var name: String
    public var version: String
    public var created: String
    public var title: String?
    public var resources: [Resource]
    public var etl: Provenance

    enum CodingKeys: String, CodingKey {
        case profile, name, version, created, title, resources
        case etl = "x-etl"
    }

    /// One data file.
    public struct Resource: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
        public var format: String
        public var mediatype: String
        public var encoding: String?
        public var bytes: Int
        /// `sha256:` and the file's SHA-256 in hex.
        public var hash: String
        public var rows: Int
        public var schema: TableSchema
    }

    /// A Frictionless Table Schema.
    public struct TableSchema: Codable, Sendable, Equatable {
        public var fields: [Field]
        public var primaryKey: [String]?
    }

    /// One field of a Table Schema.
    public struct Field: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public var description: String?
    }

    /// Where the snapshot came from and how to read it.
    public struct Provenance: Codable, Sendable, Equatable {
        public var runId: Int64
        public var pipeline: String
        public var pipelineSha256: String
        public var toolVersion: String
        public var recipient: String
        public var purpose: String
        public var identified: Bool
        public var snapshotDate: String
        public var previousVersion: String?
        /// A SHA-256 of the columns, formats and rows: a version whose data would have the same
        /// digest as the current one is not written.
        public var contentSha256: String
        public var keyId: String?
        public var keyVersion: Int?
        public var sources: [SourceExport]
        /// The change file and what it lists.
        public var changes: Changes
        /// The sorted key and digest list the next version's change file is computed from.
        public var rowIndex: FileEntry?
        public var deidReport: FileEntry
    }

    /// One source's current export.
    public struct SourceExport: Codable, Sendable, Equatable {
        public var name: String
        public var records: Int
        public var files: [SourceFile]

        public init(name: String, records: Int, files: [SourceFile]) {
            self.name = name
            self.records = records
            self.files = files
        }
    }

    /// One file of a source's export.
    public struct SourceFile: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int
        public var sha256: String

        public init(path: String, bytes: Int, sha256: String) {
            self.path = path
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    /// Keys added, changed and removed since `previousVersion`.
    public struct Changes: Codable, Sendable, Equatable {
        public var path: String
        public var hash: String
        /// The key column, or `nil` when rows have no key (load such a version whole).
        public var key: String?
        public var added: Int
        public var changed: Int
        public var removed: Int
    }

    /// A file of the snapshot that is not a data resource.
    public struct FileEntry: Codable, Sendable, Equatable {
        public var path: String
        public var hash: String
    }
}

/// `deid-report.json`: how a snapshot was de-identified and what risk remains.
struct DeidentificationReport: Codable, Sendable {
    var dataset: String
    var version: String
    var recipient: String
    var purpose: String
    var identified: Bool
    var statement: String
    var columns: [ColumnEntry]
    var privacyModel: Model?
    var residentsIncluded: Int
    var residentsSuppressed: Int
    var rowsPublished: Int
    var kReached: Int?
    var lReached: Int?
    var latticeNodesEvaluated: Int
    /// Class size ranges (`1`, `2-4`, `5-9`, …) and how many classes fall in each.
    var equivalenceClassSizes: [String: Int]
    var prosecutorRisk: Risk?

    struct ColumnEntry: Codable, Sendable {
        var name: String
        var from: String
        /// `direct-identifier`, `quasi-identifier`, `sensitive` or `insensitive`.
        var `class`: String
        var transform: String
        var level: String?
    }

    struct Model: Codable, Sendable {
        var k: Int
        var suppressionLimit: Double
        var quasiIdentifiers: [String]
        var sensitive: String?
        var l: Int?
    }

    struct Risk: Codable, Sendable {
        /// 1 / the smallest class: the risk of the most exposed resident.
        var highest: Double
        /// Classes / rows: the average over residents.
        var average: Double
    }
}
