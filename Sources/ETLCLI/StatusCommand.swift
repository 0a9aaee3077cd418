import ETLCore
import ETLPipeline

/// `etl status [--json]`: recent runs, newest first.
struct StatusCommand {
    let console: Console

    func run(_ arguments: ParsedArguments, spec: CommandSpec) throws(UsageError) -> ExitCode {
        var limit = 10
        if let text = arguments.values["--limit"] {
            guard let value = Int(text), value > 0 else {
                throw UsageError(message: "'--limit' takes a whole number above 0, not '\(text)'", command: spec)
            }
            limit = value
        }
        let folder = ETLCommand.stateFolder(arguments)
        let runs: [RunHistory.Run]
        do {
            runs = try RunHistory.recent(stateFolder: folder, limit: limit)
        } catch {
            console.err("Error: \(error)")
            return .failure
        }
        if arguments.flags.contains("--json") {
            console.out(json(runs))
        } else if runs.isEmpty {
            console.out("No runs yet in \(folder).")
        } else {
            console.out(table(runs))
        }
        return .success
    }

    private func json(_ runs: [RunHistory.Run]) -> String {
        guard !runs.isEmpty else { return "[]" }
        let objects = runs.map { run -> String in
            var text = "{\"id\": \(run.id), \"pipeline\": \(JSONWriter.string(run.pipeline)), "
            text +=
                "\"status\": \(JSONWriter.string(run.status.rawValue)), \"startedAt\": \(JSONWriter.string(run.startedAt)), "
            text += "\"finishedAt\": \(run.finishedAt.map(JSONWriter.string) ?? "null"), "
            text += "\"message\": \(run.message.map(JSONWriter.string) ?? "null"), "
            text += "\"durationSeconds\": \(StatusCommand.duration(run).map { String($0) } ?? "null"), "
            text +=
                "\"residents\": {\"created\": \(run.residentEvents[.created] ?? 0), \"merged\": \(run.residentEvents[.merged] ?? 0), "
            text +=
                "\"split\": \(run.residentEvents[.split] ?? 0), \"retired\": \(run.residentEvents[.retired] ?? 0)}, "
            text += "\"sources\": ["
            text += run.sources.map { source in
                "{\"name\": \(JSONWriter.string(source.name)), \"status\": \(JSONWriter.string(source.status.rawValue)), "
                    + "\"files\": \(source.files), \"read\": \(source.counts.read), \"staged\": \(source.kept.staged), "
                    + "\"rejected\": \(source.counts.rejected), \"deleted\": \(source.deleted), "
                    + "\"kept\": \(source.keptForRejects), \"heldBack\": \(source.deletionsHeldBack), "
                    + "\"message\": \(source.message.map(JSONWriter.string) ?? "null")}"
            }.joined(separator: ", ")
            text += "], \"datasets\": ["
            text += run.datasets.map { dataset in
                "{\"name\": \(JSONWriter.string(dataset.name)), \"status\": \(JSONWriter.string(dataset.status)), "
                    + "\"version\": \(dataset.version.map(JSONWriter.string) ?? "null"), \"rows\": \(dataset.rows), "
                    + "\"suppressed\": \(dataset.suppressed), \"message\": \(dataset.message.map(JSONWriter.string) ?? "null")}"
            }.joined(separator: ", ")
            return text + "]}"
        }
        return "[\n  " + objects.joined(separator: ",\n  ") + "\n]"
    }

    /// The run's length in seconds, from its start and end times; `nil` while it runs, and for
    /// a run whose process was killed (its end time is not known).
    static func duration(_ run: RunHistory.Run) -> Double? {
        guard let finished = run.finishedAt, let end = Timestamp.seconds(finished),
            let start = Timestamp.seconds(run.startedAt)
        else { return nil }
        return ((end - start) * 1000).rounded() / 1000
    }

    private func table(_ runs: [RunHistory.Run]) -> String {
        var rows = [
            [
                "RUN", "PIPELINE", "STATUS", "STARTED", "SECONDS", "READ", "STAGED", "REJECTED", "DELETED",
                "RESIDENTS NEW/MERGED/SPLIT/RETIRED", "DATASETS PUBLISHED",
            ]
        ]
        for run in runs {
            let totals = run.sources.reduce(into: (0, 0, 0, 0)) {
                $0.0 += $1.counts.read
                $0.1 += $1.kept.staged
                $0.2 += $1.counts.rejected
                $0.3 += $1.deleted
            }
            let published = run.datasets.filter { $0.status == "published" }.count
            let events = [RunHistory.ResidentEvent.created, .merged, .split, .retired].map {
                Summary.grouped(run.residentEvents[$0] ?? 0)
            }
            rows.append([
                "\(run.id)", run.pipeline, run.status.rawValue, run.startedAt,
                StatusCommand.duration(run).map { String(Summary.seconds($0).dropLast(2)) }
                    ?? (run.status == .interrupted ? "unknown" : "-"),
                Summary.grouped(totals.0), Summary.grouped(totals.1), Summary.grouped(totals.2),
                Summary.grouped(totals.3), events.joined(separator: "/"),
                run.datasets.isEmpty ? "-" : "\(published) of \(run.datasets.count)",
            ])
        }
        var text = Summary.columns(rows, rightAligned: [0, 4, 5, 6, 7, 8, 9, 10])
        let interrupted = runs.compactMap { run in
            run.status == .interrupted ? run.message.map { "  run \(run.id): \($0)" } : nil
        }
        if !interrupted.isEmpty {
            text += "\n\nInterrupted runs:\n" + interrupted.joined(separator: "\n")
        }
        let failures = runs.flatMap { run in
            run.sources.compactMap { source in source.message.map { "  run \(run.id): \($0)" } }
        }
        if !failures.isEmpty {
            text += "\n\nFailed sources:\n" + failures.joined(separator: "\n")
        }
        let kept = runs.flatMap { run in
            run.sources.compactMap { source -> String? in
                guard source.keptForRejects > 0 || source.deletionsHeldBack > 0 else { return nil }
                var parts: [String] = []
                if source.keptForRejects > 0 {
                    parts.append("\(Summary.grouped(source.keptForRejects)) kept as their new rows were rejected")
                }
                if source.deletionsHeldBack > 0 {
                    parts.append(
                        "\(Summary.grouped(source.deletionsHeldBack)) missing from the export kept, as a rejected record's key could not be read"
                    )
                }
                return "  run \(run.id): \(source.name): " + parts.joined(separator: "; ")
            }
        }
        if !kept.isEmpty {
            text += "\n\nRecords kept, not deleted:\n" + kept.joined(separator: "\n")
        }
        let unpublished = runs.flatMap { run in
            run.datasets.compactMap { dataset in dataset.message.map { "  run \(run.id): \($0)" } }
        }
        if !unpublished.isEmpty {
            text += "\n\nDatasets not published:\n" + unpublished.joined(separator: "\n")
        }
        return text
    }
}
