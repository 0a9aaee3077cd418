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
        var text = "source,record_key,resident_id\n"
        for link in links {
            text += LinksCommand.field(link.source) + "," + LinksCommand.field(link.key) + "," + link.residentID + "\n"
            if text.utf8.count >= 1 << 16 {
                console.outPartial(text)
                text = ""
            }
        }
        console.outPartial(text)
        return .success
    }

    /// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
    static func field(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var quoted = "\""
        for character in text.unicodeScalars {
            if character == "\"" { quoted += "\"" }
            quoted.unicodeScalars.append(character)
        }
        return quoted + "\""
    }
}
