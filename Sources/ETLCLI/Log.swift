import ETLCore

/// Where `etl run` writes its log lines on stderr: human-readable text (the default), or one
/// JSON object a line (`--log-format json`) with time, level, run, stage, source or dataset,
/// message and counts. No line holds personal data: messages name records by source, file,
/// line and key.
struct Log {
    enum Format: String, CaseIterable {
        case text
        case json
    }

    enum Level: String {
        /// What a run did; the summary on stdout says it too, so text logs leave it out.
        case info
        case notice
        case warning
        case error
    }

    let console: Console
    let format: Format
    var run: Int64?

    /// Writes one log line.
    func emit(
        _ level: Level, stage: String, _ message: String, source: String? = nil, dataset: String? = nil,
        counts: [(String, Int)] = []
    ) {
        switch format {
        case .text:
            switch level {
            case .info: break
            case .notice: console.err("Note: \(message)")
            case .warning: console.err("Warning: \(message)")
            case .error:
                // A dataset's failure names the dataset, as a source's names its source.
                if let dataset, !message.hasPrefix("dataset '") {
                    console.err("Error: dataset '\(dataset)': \(message)")
                } else {
                    console.err("Error: \(message)")
                }
            }
        case .json:
            var line = "{\"time\": \(JSONWriter.string(Timestamp.now())), \"level\": \"\(level.rawValue)\", "
            line += "\"run\": \(run.map(String.init) ?? "null"), \"stage\": \(JSONWriter.string(stage)), "
            if let source { line += "\"source\": \(JSONWriter.string(source)), " }
            if let dataset { line += "\"dataset\": \(JSONWriter.string(dataset)), " }
            line += "\"message\": \(JSONWriter.string(message))"
            if !counts.isEmpty {
                line +=
                    ", \"counts\": {" + counts.map { "\(JSONWriter.string($0.0)): \($0.1)" }.joined(separator: ", ")
                    + "}"
            }
            console.err(line + "}")
        }
    }

    /// Writes a line that is already formatted for people (a compiler-style diagnostic): as
    /// it is in text logs, as the message of a line in JSON logs.
    func diagnostic(_ text: String, level: Level, stage: String) {
        switch format {
        case .text: console.err(text)
        case .json: emit(level, stage: stage, text)
        }
    }
}
