import ETLCore
import ETLImport

/// Decodes a pipeline file's JSON into a `Pipeline`, collecting every problem as a
/// diagnostic with its line and column instead of stopping at the first.
///
/// The keys and values accepted here are the ones `schemas/pipeline.schema.json` declares;
/// a test keeps the two in step.
struct PipelineDecoder {
    /// The keys each object of a pipeline file may have.
    static let pipelineKeys = [
        "$schema", "name", "description", "inbox", "allowedFolders", "sources", "resolve", "publish", "history",
    ]
    static let historyKeys = ["keepRuns"]
    static let sourceKeys = [
        "name", "description", "format", "files", "encoding", "csv", "xml", "json", "key", "fields", "values",
        "dateFormats", "payload", "limits", "export",
    ]
    static let filePatternKeys = ["glob", "format"]
    static let csvKeys = ["delimiter", "maxQuotedFieldBytes", "maxQuotedFieldLines"]
    static let xmlKeys = ["recordElement"]
    static let jsonKeys = ["records"]
    static let mappingKeys = ["from", "separator", "when"]
    static let conditionKeys = ["field", "in"]
    static let limitKeys = ["maxRecordBytes", "maxNestingDepth", "maxRejectedShare", "minShareOfPrevious"]
    static let valueMapFields = ["sex"]

    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// The pipeline file's folder, which relative paths in it start from.
    var keyFolder = "."

    init(file: String) {
        self.file = file
    }

    // MARK: - Diagnostics

    mutating func error(_ message: String, at position: TextPosition) {
        diagnostics.append(Diagnostic(file: file, position: position, message: message))
    }

    mutating func warning(_ message: String, at position: TextPosition) {
        diagnostics.append(Diagnostic(file: file, position: position, severity: .warning, message: message))
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The diagnostics in the order they appear in the file.
    var sortedDiagnostics: [Diagnostic] {
        diagnostics.sorted { ($0.position.line, $0.position.column) < ($1.position.line, $1.position.column) }
    }

    func location(_ position: TextPosition) -> String {
        "\(file):\(position.line):\(position.column)"
    }

    // MARK: - Typed access

    /// The members of `node`, which must be an object; reports unknown keys (with a suggestion)
    /// and missing required ones.
    mutating func object(
        _ node: JSONNode, _ what: String, allowed: [String], required: [String] = []
    ) -> [String: JSONMember]? {
        guard let members = node.members else {
            error("\(what) must be an object, not \(node.typeDescription)", at: node.position)
            return nil
        }
        var byKey: [String: JSONMember] = [:]
        for member in members {
            if byKey[member.key] != nil {
                error("'\(member.key)' is given twice in \(what)", at: member.keyPosition)
                continue
            }
            guard allowed.contains(member.key) else {
                let hint = Self.didYouMean(member.key, in: allowed)
                error("unknown key '\(member.key)' in \(what)\(hint)", at: member.keyPosition)
                continue
            }
            byKey[member.key] = member
        }
        for key in required where byKey[key] == nil {
            error("\(what) needs '\(key)'", at: node.position)
        }
        return byKey
    }

    /// `; did you mean 'x'?` when a candidate is close to `name`, else the list of candidates.
    static func didYouMean(_ name: String, in candidates: [String]) -> String {
        Suggestion.closest(to: name, in: candidates).map { "; did you mean '\($0)'?" }
            ?? "; expected one of \(candidates.map { "'\($0)'" }.joined(separator: ", "))"
    }

    mutating func string(_ node: JSONNode, _ what: String, allowEmpty: Bool = false) -> String? {
        guard let text = node.stringValue else {
            error("\(what) must be a string, not \(node.typeDescription)", at: node.position)
            return nil
        }
        if !allowEmpty && text.isEmpty {
            error("\(what) must not be empty", at: node.position)
            return nil
        }
        return text
    }

    mutating func strings(_ node: JSONNode, _ what: String) -> [(String, TextPosition)]? {
        guard let elements = node.elements else {
            error("\(what) must be an array of strings, not \(node.typeDescription)", at: node.position)
            return nil
        }
        return elements.compactMap { element in string(element, "each entry of \(what)").map { ($0, element.position) }
        }
    }

    mutating func integer(_ node: JSONNode, _ what: String, range: ClosedRange<Int>) -> Int? {
        // JSON Schema counts 65536.0 and 2e6 as integers, so accept any whole number.
        guard case .number(let text) = node.value, let number = Double(text), number.rounded() == number else {
            error("\(what) must be a whole number, not \(node.typeDescription)", at: node.position)
            return nil
        }
        guard number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            error("\(what) must be between \(range.lowerBound) and \(range.upperBound)", at: node.position)
            return nil
        }
        return Int(number)
    }

    mutating func bool(_ node: JSONNode, _ what: String) -> Bool? {
        guard case .bool(let value) = node.value else {
            error("\(what) must be true or false, not \(node.typeDescription)", at: node.position)
            return nil
        }
        return value
    }

    mutating func oneOf<Value: RawRepresentable<String> & CaseIterable>(
        _ node: JSONNode, _ what: String, _ type: Value.Type
    ) -> Value? {
        guard let text = string(node, what) else { return nil }
        if let value = Value(rawValue: text) { return value }
        let names = Value.allCases.map(\.rawValue)
        error("unknown \(what) '\(text)'\(Self.didYouMean(text, in: names))", at: node.position)
        return nil
    }
}
