import Synth

#if canImport(Glibc)
    import Glibc
#endif

// etl-synth: the labelled generator and the quality scorer of bench/.
//
//   etl-synth generate --people N [--profile default|hard] [--seed S] --out DIR
//   etl-synth score --truth DIR/truth.csv --links LINKS.csv

let usage = """
    USAGE: etl-synth generate --people <n> [--profile default|hard] [--seed <s>] --out <dir>
           etl-synth score --truth <truth.csv> --links <links.csv>
           etl-synth diagnose --pipeline <file> --state <dir> --truth <truth.csv>
           etl-synth standardisers --csv <social_security_synth.csv>
    """

func printError(_ text: String) {
    let line = text + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

func fail(_ message: String) -> Never {
    printError("Error: \(message)\n\(usage)")
    exit(64)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("name a command") }
arguments.removeFirst()
var options: [String: String] = [:]
while let name = arguments.first {
    guard name.hasPrefix("--"), arguments.count >= 2 else { fail("unexpected '\(name)'") }
    options[name] = arguments[1]
    arguments.removeFirst(2)
}

do {
    switch command {
    case "generate":
        guard let people = options["--people"].flatMap(Int.init), people > 0 else { fail("give --people N") }
        guard let folder = options["--out"] else { fail("give --out DIR") }
        guard let profile = SynthProfile.named(options["--profile"] ?? "default") else { fail("unknown profile") }
        let seed = options["--seed"].flatMap(UInt64.init) ?? 1
        mkdir(folder, 0o755)
        let counts = try SynthWriter(profile: profile, seed: seed).write(people: people, to: folder)
        print(
            "wrote \(counts.records) records of \(counts.people) people (\(profile.name) profile) to \(folder): "
                + counts.perSource.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    case "diagnose":
        guard let pipeline = options["--pipeline"], let state = options["--state"], let truth = options["--truth"]
        else {
            fail("give --pipeline, --state and --truth")
        }
        try Diagnose.run(pipelinePath: pipeline, stateFolder: state, truthPath: truth)
    case "standardisers":
        guard let csv = options["--csv"] else { fail("give --csv FILE") }
        try StandardiserBench.run(csvPath: csv)
    case "score":
        guard let truth = options["--truth"], let links = options["--links"] else { fail("give --truth and --links") }
        let report = try QualityScorer.score(
            truthCSV: try QualityScorer.read(truth), linksCSV: try QualityScorer.read(links))
        print(report.text)
    default:
        fail("unknown command '\(command)'")
    }
} catch {
    printError("Error: \(error)")
    exit(1)
}
