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
        for name in (arguments.values["--accept-shrink"] ?? "").split(separator: ",").map(String.init) {
            guard pipeline.sources.contains(where: { $0.name == name }) else {
                return usage(
                    UsageError.unknown("source", name, in: pipeline.sources.map(\.name), command: spec).message)
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
        if let owner = report.lockTakenOverFrom {
            log.emit(.warning, stage: "lock", "took over the lock of a run that ended without releasing it (\(owner))")
        }
        console.out(Summary.text(of: report))
        RunCommand.logReport(report, to: log)
        switch report.status {
        case .succeeded: return .success
        case .partial: return .partial
        case .failed, .running, .interrupted, .unchanged: return .failure
        }
    }

    /// The run's log lines: per source, resolution, per dataset, and the end of the run.
    static func logReport(_ report: RunReport, to log: Log) {
        for source in report.sources {
            let counts = [
                ("files", source.files.count), ("read", source.counts.read), ("staged", source.counts.staged),
                ("rejected", source.counts.rejected), ("deleted", source.deleted),
            ]
            if let failure = source.failure {
                log.emit(.error, stage: "import", failure, source: source.name, counts: counts)
            } else {
                log.emit(.info, stage: "import", source.status.rawValue, source: source.name, counts: counts)
            }
        }
        if let resolution = report.resolution {
            log.emit(
                .info, stage: "resolve", "resolved",
                counts: [
                    ("records", resolution.records), ("residents", resolution.residents),
                    ("candidatePairs", resolution.candidatePairs), ("created", resolution.created),
                    ("merged", resolution.merged), ("split", resolution.split), ("retired", resolution.retired),
                ])
        } else if let run = report.resolutionUnchangedSince {
            log.emit(.info, stage: "resolve", "no source changed since run \(run); residents unchanged")
        }
        if let failure = report.failure { log.emit(.error, stage: "resolve", failure) }
        for note in report.publication?.notes ?? [] { log.emit(.notice, stage: "publish", note) }
        for dataset in report.publication?.datasets ?? [] {
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
