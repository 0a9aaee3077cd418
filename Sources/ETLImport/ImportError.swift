/// A failure that stops a whole file (and so its source); records that merely cannot be
/// read become rejects instead.
public enum ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case cannotRead(file: String, reason: String)
    /// The CSV header lacks a column the pipeline maps.
    case missingColumn(file: String, column: String, suggestion: String?)
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
        case .missingColumn(let file, let column, let suggestion):
            let hint = suggestion.map { "; the header has '\($0)', is that it?" } ?? ""
            return "\(file) has no column '\(column)'\(hint)"
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
