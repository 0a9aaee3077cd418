import ETLStore

/// The HTML pages runs leave in the state folder, for `etl report`.
public enum RunReports {
    /// The page of run `run`, or of the latest run when `run` is `nil`.
    public static func path(stateFolder: String, run: Int64?) throws(PipelineError) -> String {
        let number: Int64
        if let run {
            number = run
        } else {
            guard let latest = try RunHistory.recent(stateFolder: stateFolder, limit: 1).first else {
                throw .unknown(what: "no runs yet in \(stateFolder)", hint: "run a pipeline first, or pass --state DIR")
            }
            number = latest.id
        }
        let path = RunReportPage.path(stateFolder: stateFolder, run: number)
        guard FilePaths.isFile(path) else {
            throw .unknown(
                what: "run \(number) has no report in \(RunReportPage.folder(stateFolder: stateFolder))",
                hint: "a run writes its page when it ends; 'etl status' lists the runs")
        }
        return path
    }
}
