import ETLCore
import ETLPipeline

/// `etl gc <pipeline> [--dry-run]`: snapshot retention and pruning of old run history.
struct GcCommand {
    let console: Console

    func run(_ arguments: ParsedArguments) -> ExitCode {
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoading(console: console).load(arguments.positional[0])
        } catch {
            return error.code
        }
        let dryRun = arguments.flags.contains("--dry-run")
        let report: Housekeeping.Report
        do {
            report = try Housekeeping.run(
                pipeline: pipeline, stateFolder: ETLCommand.stateFolder(arguments),
                publishFolder: arguments.values["--publish-dir"], dryRun: dryRun)
        } catch {
            console.err("Error: \(error)")
            if case .locked = error { return .locked }
            return .failure
        }
        let verb = dryRun ? "would remove" : "removed"
        var lines = [dryRun ? "Dry run: nothing was changed." : "Housekeeping done."]
        for (dataset, versions) in report.snapshots {
            lines.append(
                "  \(dataset): \(verb) \(versions.isEmpty ? "no snapshot version" : versions.joined(separator: ", "))")
        }
        let history = report.history
        if let oldest = history.oldestKeptRun {
            lines.append(
                "  run history before run \(oldest) (the latest \(report.keepRuns) runs are kept whole): \(verb) \(Summary.grouped(history.rejects)) rejects, \(Summary.grouped(history.deletedRecords)) deleted-record keys, \(history.matchModels) match models, \(history.sourceFiles) file entries and \(history.runs) runs"
            )
        } else {
            lines.append(
                "  run history: all \(history.totalRuns) runs are within the latest \(report.keepRuns) (history.keepRuns); nothing to prune"
            )
        }
        console.out(lines.joined(separator: "\n"))
        return .success
    }
}
