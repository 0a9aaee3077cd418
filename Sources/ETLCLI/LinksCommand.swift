import ETLCore
import ETLPipeline

/// `etl links <pipeline>`: which resident each current record belongs to, as CSV on stdout.
struct LinksCommand {
    let console: Console

    func run(_ arguments: ParsedArguments) -> ExitCode {
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoading(console: console).load(arguments.positional[0])
        } catch {
            return error.code
        }
        guard pipeline.resolves else {
            console.err(
                "Error: \(pipeline.path) does not resolve residents (its \"resolve\" section sets \"enabled\": false); remove that setting and run it again to get links"
            )
            return .failure
        }
        let folder = ETLCommand.stateFolder(arguments)
        let links: [ResidentLinks.Link]
        do {
            guard let found = try ResidentLinks.current(pipeline: pipeline.name, stateFolder: folder) else {
                console.err(
                    "Error: no runs yet in \(folder); run 'etl run \(arguments.positional[0])' first, or pass --state DIR"
                )
                return .failure
            }
            links = found
        } catch {
            console.err("Error: \(error)")
            return .failure
        }
        console.writeCSV(
            header: ["source", "record_key", "resident_id"],
            rows: links.lazy.map { [$0.source, $0.key, $0.residentID] })
        return .success
    }
}
