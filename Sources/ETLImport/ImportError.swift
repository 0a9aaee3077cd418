/// A failure that stops a whole file (and so its source); records that merely cannot be
/// read become rejects instead.
public enum ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case cannotRead(file: String, reason: String)
    /// The CSV header lacks a column the pipeline maps (`alsoMissing`: the other mapped
    /// columns it lacks, so that all are fixed at once).
    case missingColumn(file: String, column: String, suggestion: String?, alsoMissing: [MissingColumn] = [])
    /// The CSV file has no header row.
    case missingHeader(file: String)
    /// The file starts with a byte-order mark of an encoding etl does not read.
    case unsupportedEncoding(file: String, detail: String)
    /// The encoding the pipeline declares cannot be used with this format.
    case encodingNotAllowed(file: String, encoding: String, format: String)
    /// A JSON document whose own structure is broken; nothing after the error can be trusted.
    case brokenJSONDocument(file: String, line: Int, column: Int, detail: String)
    /// The JSON document has no array at the configured records path.
    case recordsPathNotFound(file: String, path: String, detail: String)
    /// An XML file whose structure outside the record elements is broken.
    case brokenXMLDocument(file: String, line: Int, detail: String)

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason):
            return "\(file): cannot read the file: \(reason)"
        case .missingColumn(let file, let column, let suggestion, let others):
            let first = MissingColumn(column: column, suggestion: suggestion)
            guard !others.isEmpty else { return "\(file) has no column \(first)" }
            return "\(file) has none of the columns " + ([first] + others).map(\.description).joined(separator: ", ")
        case .missingHeader(let file):
            return "\(file) is empty: a CSV export needs a header row"
        case .unsupportedEncoding(let file, let detail):
            return "\(file): \(detail); re-export it as UTF-8 or GB18030"
        case .encodingNotAllowed(let file, let encoding, let format):
            return
                "\(file): \(format) files are read as UTF-8, not \(encoding); set \"encoding\" to \"utf-8\" or \"auto\""
        case .brokenJSONDocument(let file, let line, let column, let detail):
            return
                "\(file):\(line):\(column): the JSON document is broken (\(detail)); nothing after this point can be trusted, so the file was not imported"
        case .recordsPathNotFound(let file, let path, let detail):
            return "\(file): no record array at '\(path)' (\(detail)); check \"json\": {\"records\": …} in the pipeline"
        case .brokenXMLDocument(let file, let line, let detail):
            return "\(file):\(line): the XML document is broken (\(detail)); the file was not imported"
        }
    }
}

/// A column the pipeline maps that a CSV header lacks, with the header's closest name.
public struct MissingColumn: Sendable, Equatable, CustomStringConvertible {
    public var column: String
    public var suggestion: String?

    public init(column: String, suggestion: String?) {
        self.column = column
        self.suggestion = suggestion
    }

    /// `'name'`, with the near name when there is one, and what in it cannot be seen.
    public var description: String {
        guard let suggestion else { return "'\(column)'" }
        let invisible = MissingColumn.invisibleCharacters(in: suggestion)
        guard !invisible.isEmpty else { return "'\(column)' (the header has '\(suggestion)', is that it?)" }
        return "'\(column)' (the header has '\(suggestion)' with \(invisible.joined(separator: " and ")): remove "
            + (invisible.count == 1 ? "it" : "them")
            + " from the export's header, or write the name so in the pipeline)"
    }

    /// Each character of `name` a reader cannot see, named with where it is.
    static func invisibleCharacters(in name: String) -> [String] {
        let scalars = Array(name.unicodeScalars)
        var found: [String] = []
        for (index, scalar) in scalars.enumerated() {
            let what: String
            switch scalar.value {
            case 0x20: what = "a space"
            case 0x09: what = "a tab"
            case 0xA0: what = "a no-break space (U+00A0)"
            case 0x3000: what = "a full-width space (U+3000)"
            case 0xFEFF: what = "a byte-order mark (U+FEFF)"
            case 0x200B...0x200D, 0x2060:
                what = "a zero-width character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
            default:
                guard scalar.properties.isWhitespace || scalar.properties.generalCategory == .format else { continue }
                what = "an invisible character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
            }
            let place = index == 0 ? "at its start" : index == scalars.count - 1 ? "at its end" : "inside it"
            found.append("\(what) \(place)")
        }
        return found
    }
}
