import ETLCore
import ETLPipeline

/// `etl run <pipeline>`: imports and resolves, then prints a summary with counts and rejects.
struct RunCommand {
    let console: Console

    func run(_ arguments: ParsedArguments, spec: CommandSpec) -> ExitCode {
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoading(console: console).load(arguments.positional[0])
        } catch {
            return error.code
        }
        var acceptShrink: Set<String> = []
        for name in (arguments.values["--accept-shrink"] ?? "").split(separator: ",").map(String.init) {
            guard pipeline.sources.contains(where: { $0.name == name }) else {
                let error = UsageError.unknown("source", name, in: pipeline.sources.map(\.name), command: spec)
                console.err("Error: \(error.message)")
                console.err("Usage: \(spec.usage)")
                console.err("  See 'etl run --help' for more information.")
                return .usage
            }
            acceptShrink.insert(name)
        }
        var snapshotDate: Int32?
        if let text = arguments.values["--snapshot-date"] {
            guard let date = Runner.date(text) else {
                console.err("Error: --snapshot-date must be a date written YYYY-MM-DD, not '\(text)'")
                console.err("Usage: \(spec.usage)")
                console.err("  See 'etl run --help' for more information.")
                return .usage
            }
            snapshotDate = date
        }
        // SIGINT and SIGTERM stop the run cleanly between batches.
        StopRequest.install()
        let progressLine = console.stderrIsTerminal ? ProgressLine(console: console) : nil
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
            console.err("Error: \(error)")
            if case .locked = error { return .locked }
            return .failure
        }
        if let owner = report.lockTakenOverFrom {
            console.err("Warning: took over the lock of a run that ended without releasing it (\(owner))")
        }
        progressLine?.clear()
        console.out(Summary.text(of: report))
        for source in report.sources {
            if let failure = source.failure { console.err("Error: \(failure)") }
        }
        if let failure = report.failure { console.err("Error: \(failure)") }
        for note in report.publication?.notes ?? [] { console.err("Note: \(note)") }
        for dataset in report.publication?.datasets ?? [] {
            if let failure = dataset.failure { console.err("Error: \(failure)") }
        }
        switch report.status {
        case .succeeded: return .success
        case .partial: return .partial
        case .failed, .running, .interrupted, .unchanged: return .failure
        }
    }
}
