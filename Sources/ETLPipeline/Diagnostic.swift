import ETLCore

/// A problem in a pipeline file, reported the way a compiler reports one:
/// `pipelines/demo.json:14:9: error: unknown canonical field 'idNo'; did you mean 'idNumber'?`
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    /// Whether the problem stops the pipeline (error) or only deserves a look (warning).
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    public var file: String
    public var position: TextPosition
    public var severity: Severity
    public var message: String

    public init(file: String, position: TextPosition, severity: Severity = .error, message: String) {
        self.file = file
        self.position = position
        self.severity = severity
        self.message = message
    }

    public var description: String {
        "\(file):\(position.line):\(position.column): \(severity.rawValue): \(message)"
    }
}
