import ETLPipeline

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
