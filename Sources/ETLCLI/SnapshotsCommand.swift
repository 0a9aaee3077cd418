import ETLCore
import ETLPipeline

/// `etl snapshots <pipeline>`: each dataset's snapshot versions with rows, size and age.
struct SnapshotsCommand {
    let console: Console

    func run(_ arguments: ParsedArguments) -> ExitCode {
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoading(console: console).load(arguments.positional[0])
        } catch {
            return error.code
        }
        let verify = arguments.flags.contains("--verify")
        guard
            let entries = SnapshotListing.list(
                pipeline: pipeline, publishFolder: arguments.values["--publish-dir"],
                stateFolder: ETLCommand.stateFolder(arguments), verify: verify)
        else {
            console.err("Error: \(pipeline.path) publishes nothing; add a \"publish\" section to it")
            return .failure
        }
        let now = Timestamp.seconds(Timestamp.now()) ?? 0
        var lines: [String] = []
        var failed = false
        for entry in entries {
            lines.append(
                "\(entry.dataset) (for \(entry.recipient)\(entry.identified ? ", IDENTIFIED" : "")): \(entry.folder)")
            if entry.versions.isEmpty { lines.append("  no versions yet") }
            for version in entry.versions {
                let rows = version.rows.map { Summary.grouped($0) + " rows" } ?? "unreadable manifest"
                let age = version.created.flatMap(Timestamp.seconds).map { SnapshotsCommand.age(now - $0) } ?? "?"
                lines.append(
                    "  \(version.isCurrent ? "*" : " ") \(version.name)  \(rows), \(SnapshotsCommand.size(version.bytes)), \(age) old"
                )
            }
            if verify, entry.versions.contains(where: \.isCurrent) {
                if let problem = entry.problem {
                    failed = true
                    lines.append("  current version does NOT verify: \(problem)")
                } else {
                    lines.append("  current version verified: every file matches datapackage.json")
                }
            }
        }
        console.out(lines.joined(separator: "\n"))
        return failed ? .failure : .success
    }

    /// 1536 → "1.5 KB".
    static func size(_ bytes: Int) -> String {
        let units = ["bytes", "KB", "MB", "GB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        return "\(Int(value * 10) / 10).\(Int(value * 10) % 10) \(units[unit])"
    }

    /// Seconds → "42 s", "5 min", "3 h", "2 days".
    static func age(_ seconds: Double) -> String {
        let whole = max(0, Int(seconds))
        if whole < 120 { return "\(whole) s" }
        if whole < 7200 { return "\(whole / 60) min" }
        if whole < 172_800 { return "\(whole / 3600) h" }
        return "\(whole / 86400) days"
    }
}
