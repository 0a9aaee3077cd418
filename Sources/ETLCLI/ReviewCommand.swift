import ETLCore
import ETLPipeline

#if canImport(Glibc)
    import Glibc
#endif

/// `etl review list|decide|export|import <pipeline> …`: the queue of uncertain pairs, and
/// decisions that bind every later run.
struct ReviewCommand {
    let console: Console

    func run(_ arguments: ParsedArguments, spec: CommandSpec) throws(UsageError) -> ExitCode {
        let action = arguments.positional[0]
        let actions = ["list", "decide", "export", "import"]
        guard actions.contains(action) else {
            throw UsageError.unknown("review action", action, in: actions, command: spec)
        }
        guard arguments.positional.count >= 2 else {
            throw UsageError(message: "Missing expected argument '<pipeline>'", command: spec)
        }
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoading(console: console).load(arguments.positional[1])
        } catch {
            return error.code
        }
        let review = Review(pipeline: pipeline, stateFolder: ETLCommand.stateFolder(arguments))
        let rest = Array(arguments.positional.dropFirst(2))
        let reveal = arguments.flags.contains("--reveal")
        do {
            switch action {
            case "list":
                let items = try review.list(reveal: reveal)
                guard !items.isEmpty else {
                    console.out("The review queue of \(pipeline.name) is empty.")
                    return .success
                }
                var lines = [
                    "\(items.count) pairs to review, most uncertain first" + (reveal ? " (revealed):" : " (masked):")
                ]
                let explain = ExplainCommand(console: console)
                for item in items {
                    lines += ["", "Pair \(item.id):"]
                    lines.append(
                        Summary.columns(explain.recordRows([item.pair.first, item.pair.second]), rightAligned: []))
                    lines += explain.pairLines(item.pair)
                }
                lines += ["", "Decide with: etl review decide \(pipeline.name) <pair> same|different"]
                console.out(lines.joined(separator: "\n"))
            case "decide":
                guard rest.count == 2 || rest.count == 3, let same = ReviewCommand.decision(rest.last!) else {
                    throw UsageError(
                        message: "Give a pair's number (or two records as source:key) and 'same' or 'different'",
                        command: spec)
                }
                try review.decide(pair: rest[0], other: rest.count == 3 ? rest[1] : nil, same: same)
                console.out(
                    "Recorded: \(rest.dropLast().joined(separator: " ")) \(same ? "same resident" : "different residents"). The next run applies it, and every run after."
                )
            case "export":
                console.outPartial(try export(review.list(reveal: reveal)))
            default:
                guard rest.count == 1 else { throw UsageError(message: "Give the CSV file to import", command: spec) }
                let count = try importDecisions(rest[0], into: review)
                console.out(
                    "Recorded \(count) decision\(count == 1 ? "" : "s"). The next run applies them, and every run after."
                )
            }
        } catch let error as UsageError {
            throw error
        } catch {
            console.err("Error: \(error)")
            return .failure
        }
        return .success
    }

    static func decision(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "same": true
        case "different": false
        default: nil
        }
    }

    private static let fields = ["name", "idNumber", "sex", "birthDate", "phone", "address"]

    /// The queue as CSV for a spreadsheet: one row per pair, the two records' values side by
    /// side, and an empty `decision` column to fill with `same` or `different`.
    private func export(_ items: [Review.Item]) -> String {
        var header = ["pair", "record_a", "record_b", "probability"]
        for field in ReviewCommand.fields { header += ["a_" + field, "b_" + field] }
        var text = (header + ["decision"]).joined(separator: ",") + "\r\n"
        for item in items {
            var row = [
                String(item.id), item.pair.first.place, item.pair.second.place,
                ExplainCommand.probability(item.pair.diagnosis.probability),
            ]
            for index in ReviewCommand.fields.indices {
                row += [item.pair.first.values[index] ?? "", item.pair.second.values[index] ?? ""]
            }
            text += (row + [""]).map(Console.csvField).joined(separator: ",") + "\r\n"
        }
        return text
    }

    /// Reads a filled-in export: rows whose `decision` is `same` or `different` are recorded
    /// (by their records, so the file stays good after the queue changes); empty ones are
    /// skipped. Anything else stops the import before anything is recorded.
    private func importDecisions(_ path: String, into review: Review) throws -> Int {
        guard let file = fopen(path, "rb") else {
            throw ReviewImportError(message: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            bytes += chunk[0..<count]
            if count < chunk.count { break }
        }
        fclose(file)
        let rows = ReviewCommand.csvRows(String(decoding: bytes, as: UTF8.self))
        guard let header = rows.first, let a = header.firstIndex(of: "record_a"),
            let b = header.firstIndex(of: "record_b"),
            let decisionColumn = header.firstIndex(of: "decision")
        else {
            throw ReviewImportError(
                message: "\(path) has no record_a, record_b and decision columns; start from 'etl review export'")
        }
        var decisions: [(String, String, Bool)] = []
        for (line, row) in rows.enumerated().dropFirst() where row.count > decisionColumn {
            let text = row[decisionColumn].trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let same = ReviewCommand.decision(text), row.count > max(a, b) else {
                throw ReviewImportError(
                    message:
                        "\(path):\(line + 1): the decision must be 'same' or 'different', not '\(text)'; nothing was recorded"
                )
            }
            decisions.append((row[a], row[b], same))
        }
        for (first, second, same) in decisions { try review.decide(pair: first, other: second, same: same) }
        return decisions.count
    }

    /// RFC 4180 rows (quoted fields, doubled quotes, CRLF or LF).
    static func csvRows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var previous: Character?
        for character in text {
            if quoted {
                if character == "\"" {
                    quoted = false
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                if previous == "\"" { field.append("\"") }
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\n" || character == "\r\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else if character != "\r" {
                field.append(character)
            }
            previous = character
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}

/// A review import that cannot go on.
struct ReviewImportError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
