import ETLCore
import ETLPipeline

/// `etl run <pipeline>`: imports and resolves, then prints a summary with counts and rejects.
struct RunCommand {
    let console: Console

    func run(_ arguments: ParsedArguments, spec: CommandSpec) -> ExitCode {
        func usage(_ message: String) -> ExitCode {
            console.err("Error: \(message)")
            console.err("Usage: \(spec.usage)")
            console.err("  See 'etl run --help' for more information.")
            return .usage
        }
        var format = Log.Format.text
        if let text = arguments.values["--log-format"] {
            guard let value = Log.Format(rawValue: text) else {
                return usage("--log-format takes 'text' or 'json', not '\(text)'")
            }
            format = value
        }
        var log = Log(console: console, format: format)
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoading(log: log).load(arguments.positional[0])
        } catch {
            return error.code
        }
        var acceptShrink: Set<String> = []
        let sources = pipeline.sources.map(\.name)
        for name in (arguments.values["--accept-shrink"] ?? "").split(separator: ",").map(String.init) {
            guard sources.contains(name) else {
                // A data officer cannot be expected to know the names by heart: list them all.
                let hint = Suggestion.closest(to: name, in: sources).map { " Did you mean '\($0)'?" } ?? ""
                return usage(
                    "Unknown source '\(name)' in --accept-shrink.\(hint) The sources of \(pipeline.path) are: \(sources.joined(separator: ", ")); name one or more of them, separated by commas"
                )
            }
            acceptShrink.insert(name)
        }
        var snapshotDate: Int32?
        if let text = arguments.values["--snapshot-date"] {
            guard let date = Runner.date(text) else {
                return usage("--snapshot-date must be a date written YYYY-MM-DD, not '\(text)'")
            }
            snapshotDate = date
        }
        // SIGINT and SIGTERM stop the run cleanly between batches.
        StopRequest.install()
        // A progress line only on a terminal, and never between JSON log lines.
        let progressLine = console.stderrIsTerminal && format == .text ? ProgressLine(console: console) : nil
        var runner = Runner(
            pipeline: pipeline, inbox: arguments.values["--inbox"], stateFolder: ETLCommand.stateFolder(arguments),
            acceptShrink: acceptShrink, progress: progressLine.map { line in { line.draw($0) } })
        // Log lines are written as the run goes: a cron job's log shows how far a run got.
        runner.events = { event in
            if case .started(let run, _) = event { log.run = run }
            progressLine?.clear()
            RunCommand.log(event, to: log)
        }
        runner.publishFolder = arguments.values["--publish-dir"]
        runner.snapshotDate = snapshotDate
        let report: RunReport
        do {
            report = try runner.run()
        } catch {
            progressLine?.clear()
            if case .locked = error {
                log.emit(.error, stage: "lock", "\(error)")
                return .locked
            }
            log.emit(.error, stage: "run", "\(error)")
            return .failure
        }
        progressLine?.clear()
        log.run = report.runID
        console.out(Summary.text(of: report))
        RunCommand.logEnd(of: report, to: log)
        switch report.status {
        case .succeeded: return .success
        case .partial: return .partial
        case .failed, .running, .interrupted, .unchanged: return .failure
        }
    }

    /// The log lines of one step of a run.
    static func log(_ event: RunEvent, to log: Log) {
        switch event {
        case .started(_, let owner):
            if let owner {
                log.emit(
                    .warning, stage: "lock", "took over the lock of a run that ended without releasing it (\(owner))")
            }
        case .imported(let source):
            let counts = [
                ("files", source.files.count), ("read", source.counts.read), ("staged", source.kept.staged),
                ("rejected", source.counts.rejected), ("deleted", source.deleted), ("kept", source.keptForRejects),
            ]
            if let failure = source.failure {
                log.emit(.error, stage: "import", failure, source: source.name, counts: counts)
            } else {
                log.emit(.info, stage: "import", source.status.rawValue, source: source.name, counts: counts)
            }
            if source.deletionsHeldBack > 0 {
                log.emit(
                    .warning, stage: "import",
                    "\(source.name): \(source.deletionsHeldBack) records missing from the export were kept, not deleted, because \(source.rejectsWithoutKey) rejected rows have no record key that could be read; fix the rejected rows in the next export",
                    source: source.name, counts: [("heldBack", source.deletionsHeldBack)])
            }
        case .resolved(let resolution):
            log.emit(
                .info, stage: "resolve", "resolved",
                counts: [
                    ("records", resolution.records), ("residents", resolution.residents),
                    ("candidatePairs", resolution.candidatePairs), ("created", resolution.created),
                    ("merged", resolution.merged), ("split", resolution.split), ("retired", resolution.retired),
                    ("unchanged", resolution.unchanged),
                ])
        case .resolutionUnchanged(let run):
            log.emit(.info, stage: "resolve", "no record changed since run \(run); residents unchanged")
        case .resolutionFailed(let failure):
            log.emit(.error, stage: "resolve", failure)
        case .published(let publication):
            for note in publication.notes { log.emit(.notice, stage: "publish", note) }
            for dataset in publication.datasets {
                let counts = [
                    ("rows", dataset.rows), ("suppressed", dataset.suppressed), ("added", dataset.added),
                    ("changed", dataset.changed), ("removed", dataset.removed),
                ]
                if let failure = dataset.failure {
                    log.emit(.error, stage: "publish", failure, dataset: dataset.name, counts: counts)
                } else {
                    log.emit(
                        .info, stage: "publish", "\(dataset.status.rawValue) \(dataset.version ?? "")",
                        dataset: dataset.name, counts: counts)
                }
            }
        case .publishFailed(let failure):
            log.emit(.error, stage: "publish", failure)
        }
    }

    /// The last log line of a run: its status, totals, and seconds and peak memory per stage.
    static func logEnd(of report: RunReport, to log: Log) {
        let totals = report.totals
        var counts = [("read", totals.read), ("staged", totals.staged), ("rejected", totals.rejected)]
        for stage in report.stages {
            counts += [
                (stage.name + "Milliseconds", Int(stage.seconds * 1000)), (stage.name + "PeakKiB", stage.peakKiB),
            ]
        }
        log.emit(.info, stage: "run", "\(report.status.rawValue) in \(Summary.seconds(report.seconds))", counts: counts)
    }
}
