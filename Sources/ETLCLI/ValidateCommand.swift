import ETLPipeline

/// `etl validate <pipeline>`: checks the file and its globs; prints diagnostics.
struct ValidateCommand {
    let console: Console

    func run(_ arguments: ParsedArguments) -> ExitCode {
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoading(console: console).load(arguments.positional[0])
        } catch {
            return error.code
        }
        guard let inbox = arguments.values["--inbox"] ?? pipeline.inbox else {
            console.err(
                "\(pipeline.path):1:1: warning: no inbox is set, so the globs were not checked; add \"inbox\" or pass --inbox DIR"
            )
            console.out("\(pipeline.path) is valid: \(describe(pipeline))")
            return .success
        }
        let problems = pipeline.checkInbox(inbox)
        if !problems.isEmpty {
            for problem in problems { console.err(problem.description) }
            console.err(
                "Error: \(problems.count) error\(problems.count == 1 ? "" : "s") in \(pipeline.path); fix the globs or the inbox"
            )
            return .invalidPipeline
        }
        console.out("\(pipeline.path) is valid: \(describe(pipeline))")
        return .success
    }

    private func describe(_ pipeline: Pipeline) -> String {
        "pipeline '\(pipeline.name)' with \(pipeline.sources.count) source\(pipeline.sources.count == 1 ? "" : "s") (\(pipeline.sources.map(\.name).joined(separator: ", ")))"
    }
}
