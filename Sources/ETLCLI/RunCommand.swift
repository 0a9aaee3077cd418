import ETLCore
import ETLPipeline

/// `etl run <pipeline>`: imports, then prints a summary with counts and rejects.
struct RunCommand {
    let console: Console

    func run(_ arguments: ParsedArguments) -> ExitCode {
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoading(console: console).load(arguments.positional[0])
        } catch {
            return error.code
        }
        let progressLine = console.stderrIsTerminal ? ProgressLine(console: console) : nil
        let runner = Runner(
            pipeline: pipeline, inbox: arguments.values["--inbox"], stateFolder: ETLCommand.stateFolder(arguments),
            progress: progressLine.map { line in { line.draw($0) } })
        let report: RunReport
        do {
            report = try runner.run()
        } catch {
            progressLine?.clear()
            console.err("Error: \(error)")
            return .failure
        }
        progressLine?.clear()
        console.out(Summary.text(of: report))
        for source in report.sources {
            if let failure = source.failure { console.err("Error: \(failure)") }
        }
        switch report.status {
        case .succeeded: return .success
        case .partial: return .partial
        case .failed, .running: return .failure
        }
    }
}

/// A pipeline that could not be loaded; its message is already printed.
struct LoadFailure: Error {
    var code: ExitCode
}

/// Finds and loads a pipeline, printing diagnostics the way a compiler does.
struct PipelineLoading {
    let console: Console

    func load(_ nameOrPath: String) throws(LoadFailure) -> Pipeline {
        do {
            let path = try Pipeline.locate(nameOrPath)
            let (pipeline, warnings) = try Pipeline.load(path: path)
            for warning in warnings { console.err(warning.description) }
            return pipeline
        } catch {
            if case .invalid(let diagnostics) = error {
                for diagnostic in diagnostics { console.err(diagnostic.description) }
                let errors = diagnostics.filter { $0.severity == .error }.count
                let file = diagnostics.first?.file ?? nameOrPath
                console.err(
                    "Error: \(errors) error\(errors == 1 ? "" : "s") in \(file); fix \(errors == 1 ? "it" : "them") and run 'etl validate \(nameOrPath)' to check"
                )
                throw LoadFailure(code: .invalidPipeline)
            }
            console.err("Error: \(error)")
            throw LoadFailure(code: .failure)
        }
    }
}

/// A progress line on stderr, redrawn at most five times a second.
final class ProgressLine {
    private let console: Console
    private var lastDraw = 0.0
    private var drawn = false

    init(console: Console) {
        self.console = console
    }

    func draw(_ update: ProgressUpdate) {
        let now = Timestamp.monotonicSeconds()
        guard now - lastDraw >= 0.2 else { return }
        lastDraw = now
        drawn = true
        let rate = update.seconds > 0 ? Int(Double(update.records) / update.seconds) : 0
        let percent = update.totalBytes > 0 ? update.bytesRead * 100 / update.totalBytes : 100
        console.errPartial(
            "\r\u{1B}[K\(update.source): \(update.file)  \(Summary.grouped(update.records)) records  \(Summary.grouped(rate)) records/s  \(percent)%"
        )
    }

    func clear() {
        if drawn { console.errPartial("\r\u{1B}[K") }
        drawn = false
    }
}
