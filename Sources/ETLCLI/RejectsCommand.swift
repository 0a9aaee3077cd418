import ETLPipeline

/// `etl rejects <pipeline>`: every rejected record of each source's latest import, as CSV on
/// stdout, so that an officer can fix them all, not only the first few the summary shows.
struct RejectsCommand {
    let console: Console

    func run(_ arguments: ParsedArguments) -> ExitCode {
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoading(console: console).load(arguments.positional[0])
        } catch {
            return error.code
        }
        let folder = ETLCommand.stateFolder(arguments)
        let revealing = arguments.flags.contains("--reveal")
        let rejects: [LatestRejects.Reject]
        do {
            guard let found = try LatestRejects.list(pipeline: pipeline.name, stateFolder: folder, revealing: revealing)
            else {
                console.err(
                    "Error: no runs yet in \(folder); run 'etl run \(arguments.positional[0])' first, or pass --state DIR"
                )
                return .failure
            }
            rejects = found
        } catch {
            console.err("Error: \(error)")
            return .failure
        }
        let header = [
            "run", "source", "file", "line", "record_index", "byte_offset", "category", "reason", "record_key",
        ]
        console.writeCSV(
            header: header + (revealing ? ["raw"] : []),
            rows: rejects.lazy.map { reject in
                let place = reject.summary
                let fields = [
                    String(reject.run), place.source, place.file, String(place.line), String(place.recordIndex),
                    place.byteOffset.map(String.init) ?? "", place.category, place.reason, reject.recordKey ?? "",
                ]
                return revealing ? fields + [reject.raw ?? ""] : fields
            })
        return .success
    }
}
