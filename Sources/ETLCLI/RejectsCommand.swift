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
        var text =
            "run,source,file,line,record_index,byte_offset,category,reason,record_key" + (revealing ? ",raw" : "")
            + "\n"
        for reject in rejects {
            let place = reject.summary
            var fields = [
                String(reject.run), place.source, place.file, String(place.line), String(place.recordIndex),
                place.byteOffset.map(String.init) ?? "", place.category, place.reason, reject.recordKey ?? "",
            ]
            if revealing { fields.append(reject.raw ?? "") }
            text += fields.map(LinksCommand.field).joined(separator: ",") + "\n"
            if text.utf8.count >= 1 << 16 {
                console.outPartial(text)
                text = ""
            }
        }
        console.outPartial(text)
        return .success
    }
}
