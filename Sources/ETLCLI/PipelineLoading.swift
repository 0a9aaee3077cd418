import ETLPipeline

/// A pipeline that could not be loaded; its message is already printed.
struct LoadFailure: Error {
    var code: ExitCode
}

/// Finds and loads a pipeline, printing diagnostics the way a compiler does.
struct PipelineLoading {
    let log: Log

    init(console: Console) {
        log = Log(console: console, format: .text)
    }

    init(log: Log) {
        self.log = log
    }

    func load(_ nameOrPath: String) throws(LoadFailure) -> Pipeline {
        do {
            let path = try Pipeline.locate(nameOrPath)
            let (pipeline, warnings) = try Pipeline.load(path: path)
            for warning in warnings { log.diagnostic(warning.description, level: .warning, stage: "pipeline") }
            return pipeline
        } catch {
            if case .invalid(let diagnostics) = error {
                for diagnostic in diagnostics {
                    log.diagnostic(
                        diagnostic.description, level: diagnostic.severity == .error ? .error : .warning,
                        stage: "pipeline")
                }
                let errors = diagnostics.filter { $0.severity == .error }.count
                let file = diagnostics.first?.file ?? nameOrPath
                log.emit(
                    .error, stage: "pipeline",
                    "\(errors) error\(errors == 1 ? "" : "s") in \(file); fix \(errors == 1 ? "it" : "them") and run 'etl validate \(nameOrPath)' to check"
                )
                throw LoadFailure(code: .invalidPipeline)
            }
            log.emit(.error, stage: "pipeline", "\(error)")
            throw LoadFailure(code: .failure)
        }
    }
}
