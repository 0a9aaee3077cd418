import ETLCore
import ETLPipeline

/// The `etl` command line: parses arguments, calls the pipeline, prints, and returns the
/// exit code. Holds no pipeline logic.
public enum ETLCommand {
    /// The version `etl --version` prints.
    public static let version = ETLVersion.current

    static let overview = "Collect each department's register once, and serve many uses."

    static let exitCodes = """
        EXIT CODES:
          0   success (rejected records alone do not fail a run)
          1   the run failed
          2   partial: some sources or datasets failed, the rest completed
          3   another run is using the state folder (its pid, host and start time are shown)
          4   the pipeline file is invalid
          64  usage error
        """

    static let stateOption = CommandSpec.Option(
        name: "--state", valueName: "dir",
        help: "The state folder (default: $ETL_STATE, else .etl in the current folder).")
    static let inboxOption = CommandSpec.Option(
        name: "--inbox", valueName: "dir",
        help: "Where the pipeline's file globs are resolved (default: its \"inbox\").")

    static let publishDirOption = CommandSpec.Option(
        name: "--publish-dir", valueName: "dir",
        help: "Where snapshots are published (default: \"publish.folder\", else published in the state folder).")

    static let commands: [CommandSpec] = [
        CommandSpec(
            name: "run", overview: "Import a pipeline's sources, resolve residents, and publish its datasets.",
            arguments: [
                ("pipeline", "A pipeline name in pipelines/ (such as demo) or a path to a pipeline file.", false)
            ],
            options: [
                inboxOption, stateOption,
                CommandSpec.Option(
                    name: "--accept-shrink", valueName: "source[,source…]",
                    help: "Accept a new export smaller than the shrink guard allows, for these sources, this run."),
                publishDirOption,
                CommandSpec.Option(
                    name: "--snapshot-date", valueName: "YYYY-MM-DD",
                    help: "The date published ages are computed on (default: today)."),
                CommandSpec.Option(
                    name: "--log-format", valueName: "text|json",
                    help: "Log lines on stderr: text (default), or one JSON object a line."),
            ],
            discussion: exitCodes),
        CommandSpec(
            name: "validate", overview: "Check a pipeline file and report its problems like a compiler.",
            arguments: [
                ("pipeline", "A pipeline name in pipelines/ (such as demo) or a path to a pipeline file.", false)
            ],
            options: [inboxOption],
            discussion:
                "Checks the file against the rules of schemas/pipeline.schema.json and its meaning: canonical field\nnames, duplicate sources, date formats, and globs that match no file in the inbox.\nExits 0 when the file is valid and 4 when it is not."
        ),
        CommandSpec(
            name: "links", overview: "Print which resident each current record belongs to, as CSV.",
            arguments: [
                ("pipeline", "A pipeline name in pipelines/ (such as demo) or a path to a pipeline file.", false)
            ],
            options: [stateOption],
            discussion:
                "Prints the header source,record_key,resident_id, then one row per record currently staged,\nby source and record key. The source is the pipeline's source name."
        ),
        CommandSpec(
            name: "rejects", overview: "List the rejected records of each source's latest import, as CSV.",
            arguments: [
                ("pipeline", "A pipeline name in pipelines/ (such as demo) or a path to a pipeline file.", false)
            ],
            options: [
                CommandSpec.Option(
                    name: "--reveal", valueName: nil,
                    help: "Add each record's raw text, which may hold personal data (written to the audit log)."),
                stateOption,
            ],
            discussion:
                "Prints the header run,source,file,line,record_index,byte_offset,category,reason,record_key, then\nevery reject of each source's latest import (the one that failed, when it did), by source, file and\nline: what to fix in the export. record_key is empty when the key could not be read. --reveal adds\na raw column."
        ),
        CommandSpec(
            name: "snapshots", overview: "List the published snapshot versions of a pipeline's datasets.",
            arguments: [
                ("pipeline", "A pipeline name in pipelines/ (such as demo) or a path to a pipeline file.", false)
            ],
            options: [
                publishDirOption, stateOption,
                CommandSpec.Option(
                    name: "--verify", valueName: nil,
                    help: "Also check every file of each current version against its datapackage.json."),
            ],
            discussion:
                "Lists each dataset's versions, oldest first, with rows, size and age; '*' marks the version CURRENT\nnames, which readers use. With --verify, exits 1 when a current version does not verify."
        ),
        CommandSpec(
            name: "explain", overview: "Explain why records are, or are not, one resident.",
            arguments: [
                ("pipeline", "A pipeline name in pipelines/ (such as demo) or a path to a pipeline file.", false),
                ("resident-or-record", "A resident ID (R0000000001), or a record as source:key.", false),
                ("record", "With a record before it: a second record as source:key, to explain the pair.", true),
            ],
            options: [
                CommandSpec.Option(
                    name: "--reveal", valueName: nil,
                    help: "Show personal values unmasked; who asked, and when, is written to the audit log."),
                stateOption,
            ],
            discussion:
                "For a resident: its unified record with each field's source record, its records, every pair of them\nthat blocking compared (field by field: level, m, u, weight, term-frequency adjustment, the blocking\nkeys that compared them, hard constraints), and its history. For two records: the same table for\nthe pair, and whether they are one resident. Personal values are masked unless --reveal is given.\nThe current records are resolved again in memory to give the last run's weights; nothing is written\nbut the audit line."
        ),
        CommandSpec(
            name: "review", overview: "Review uncertain pairs; decisions bind every later run.",
            arguments: [
                ("action", "list, decide, export or import.", false),
                ("pipeline", "A pipeline name in pipelines/ (such as demo) or a path to a pipeline file.", true),
                ("pair", "decide: a pair's number from list (or a record as source:key); import: the CSV file.", true),
                ("record", "decide: with a record before it, the second record as source:key.", true),
                ("decision", "decide: same or different.", true),
            ],
            options: [
                CommandSpec.Option(
                    name: "--reveal", valueName: nil,
                    help: "list, export: show personal values unmasked (written to the audit log)."),
                stateOption,
            ],
            discussion:
                "Each resolution queues the pairs whose match probability is from resolve.reviewFrom (default 0.5)\nup to the threshold. 'list' explains each one field by field; 'decide <pipeline> <pair> same|different'\nrecords a decision; 'export' prints the queue as CSV with an empty decision column, and 'import <pipeline>\n<file>' records the filled-in decisions. A decision binds every later run, re-estimated model or not:\n'same' joins the two records' residents, 'different' keeps them apart (the resident ID stays with the\nlarger part). Decisions record who made them and when, and etl gc keeps them."
        ),
        CommandSpec(
            name: "report", overview: "Print the path of a run's HTML report.",
            arguments: [("run", "The run's number, as 'etl status' shows it (default: the latest run).", true)],
            options: [stateOption],
            discussion:
                "Each run leaves reports/run-<id>.html in the state folder: one static page with no scripts, with\nrecords per source and the top reject reasons, the match-weight histogram with the thresholds, residents\nby number of records, residents created, merged, split and retired, and per dataset its rows, k reached,\nsuppressed residents and equivalence-class sizes. It holds no personal data."
        ),
        CommandSpec(
            name: "gc", overview: "Apply snapshot retention and prune old run history.",
            arguments: [
                ("pipeline", "A pipeline name in pipelines/ (such as demo) or a path to a pipeline file.", false)
            ],
            options: [
                CommandSpec.Option(
                    name: "--dry-run", valueName: nil, help: "Say what would be removed, and remove nothing."),
                publishDirOption, stateOption,
            ],
            discussion:
                "Removes snapshot versions beyond each dataset's \"retain\" (never the current one), and the history of\nruns before the latest \"history.keepRuns\" (default 90): their rejects, soft-deleted keys, old match\nmodels, file entries, and the runs nothing refers to. Takes the run lock, so it never runs beside etl run."
        ),
        CommandSpec(
            name: "keygen", overview: "Create a master key file for keyed pseudonyms.",
            arguments: [("file", "Where to write the key. An existing file is never overwritten.", false)],
            options: [],
            discussion:
                "Writes 32 random bytes from OpenSSL, in hex, with mode 0600, and prints the key ID (an HMAC of a\nfixed label under the key, never the key). Name the file in the pipeline; never put the key itself there."
        ),
        CommandSpec(
            name: "status", overview: "Show recent runs, newest first.",
            arguments: [],
            options: [
                CommandSpec.Option(name: "--json", valueName: nil, help: "Print the runs as a JSON array."),
                CommandSpec.Option(name: "--limit", valueName: "n", help: "How many runs to show (default: 10)."),
                stateOption,
            ]),
        CommandSpec(
            name: "help", overview: "Show help for etl or one of its commands.",
            arguments: [("subcommand", "The command to explain.", true)], options: []),
    ]

    static var mainHelp: String {
        var lines = [
            "OVERVIEW: \(overview)", "", "USAGE: etl <subcommand>", "", "OPTIONS:",
            CommandSpec.row("--version", "Show the version."), CommandSpec.row("-h, --help", "Show help information."),
            "", "SUBCOMMANDS:",
        ]
        for command in commands { lines.append(CommandSpec.row(command.name, command.overview)) }
        lines += ["", "  See 'etl help <subcommand>' for detailed help.", "", exitCodes]
        return lines.joined(separator: "\n")
    }

    /// Runs the command line `arguments` (without the program name) and returns the exit code.
    public static func main(_ arguments: [String]) -> Int32 {
        let console = Console()
        do {
            return try dispatch(arguments, console: console).rawValue
        } catch {
            console.err("Error: \(error.message)")
            if let command = error.command {
                console.err("Usage: \(command.usage)")
                console.err("  See 'etl \(command.name) --help' for more information.")
            } else {
                console.err("Usage: etl <subcommand>")
                console.err("  See 'etl --help' for more information.")
            }
            return ExitCode.usage.rawValue
        }
    }

    private static func dispatch(_ arguments: [String], console: Console) throws(UsageError) -> ExitCode {
        guard let first = arguments.first else {
            console.out(mainHelp)
            return .success
        }
        switch first {
        case "-h", "--help":
            console.out(mainHelp)
            return .success
        case "--version":
            console.out("etl \(version)")
            return .success
        default:
            break
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            if first.hasPrefix("-") {
                throw UsageError(message: "Unknown option '\(first)'. Did you mean '--help'?")
            }
            throw UsageError.unknown("command", first, in: commands.map(\.name))
        }
        let parsed = try command.parse(Array(arguments.dropFirst()))
        if parsed.wantsHelp {
            console.out(command.help)
            return .success
        }
        switch command.name {
        case "run": return RunCommand(console: console).run(parsed, spec: command)
        case "validate": return ValidateCommand(console: console).run(parsed)
        case "links": return LinksCommand(console: console).run(parsed)
        case "rejects": return RejectsCommand(console: console).run(parsed)
        case "keygen": return KeygenCommand(console: console).run(parsed)
        case "snapshots": return SnapshotsCommand(console: console).run(parsed)
        case "gc": return GcCommand(console: console).run(parsed)
        case "explain": return try ExplainCommand(console: console).run(parsed, spec: command)
        case "review": return try ReviewCommand(console: console).run(parsed, spec: command)
        case "report": return try ReportCommand(console: console).run(parsed, spec: command)
        case "status": return try StatusCommand(console: console).run(parsed, spec: command)
        default:
            guard let name = parsed.positional.first else {
                console.out(mainHelp)
                return .success
            }
            guard let target = commands.first(where: { $0.name == name }) else {
                throw UsageError.unknown("command", name, in: commands.map(\.name), command: command)
            }
            console.out(target.help)
            return .success
        }
    }

    /// The state folder: `--state`, else `$ETL_STATE`, else `.etl`.
    static func stateFolder(_ parsed: ParsedArguments) -> String {
        parsed.values["--state"] ?? Environment.value("ETL_STATE") ?? ".etl"
    }
}
