import ETLPipeline

/// `etl report [run]`: the path of a run's HTML page (the latest run's by default).
struct ReportCommand {
    let console: Console

    func run(_ arguments: ParsedArguments, spec: CommandSpec) throws(UsageError) -> ExitCode {
        var run: Int64?
        if let text = arguments.positional.first {
            guard let number = Int64(text), number > 0 else {
                throw UsageError(message: "'\(text)' is not a run number; 'etl status' lists them", command: spec)
            }
            run = number
        }
        do {
            console.out(try RunReports.path(stateFolder: ETLCommand.stateFolder(arguments), run: run))
        } catch {
            console.err("Error: \(error)")
            return .failure
        }
        return .success
    }
}
