import Foundation
import Synth
import TestSupport
import Testing

/// `kill -9` at random moments of real runs (importing, resolving, publishing), again and
/// again, must leave a state store that opens, snapshots that verify, no run shown as running
/// for ever, and a next run that completes with the same residents as one clean run.
@Suite(.serialized) struct CrashSafetyTests {
    private let pipeline = Repository.path("bench/pipelines/synth-publish.json")

    private func arguments(_ inbox: String, _ state: String) -> [String] {
        ["run", pipeline, "--inbox", inbox, "--state", state, "--snapshot-date", "2026-11-27"]
    }

    /// Starts `etl` with `arguments`, kills it with SIGKILL after `delay` seconds (unless it
    /// ended first), and returns whether it was killed.
    private func runAndKill(_ arguments: [String], after delay: Double) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BinaryRunner.executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return killed
    }

    /// The residents as sets of records (`source,key`), whatever their IDs.
    private func partition(_ state: String) throws -> Set<Set<String>> {
        let links = try BinaryRunner.run(["links", pipeline, "--state", state]).stdout
        var residents: [Substring: Set<String>] = [:]
        for line in links.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",")
            residents[fields[2], default: []].insert(fields[0] + "," + fields[1])
        }
        return Set(residents.values)
    }

    @Test func killedRunsLeaveAConsistentStoreAndTheNextRunCompletes() throws {
        let folder = TemporaryDirectory()
        // Two registers that alternate night by night, so that every run imports, resolves and
        // publishes afresh.
        let inboxes = [folder.file("a"), folder.file("b")]
        for (seed, inbox) in inboxes.enumerated() {
            try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
            _ = try SynthWriter(profile: SynthProfile.named("default")!, seed: UInt64(seed + 3)).write(
                people: 4000, to: inbox)
        }
        // The reference: one clean run of the first register from scratch.
        let reference = folder.file("reference")
        let clean = try BinaryRunner.run(arguments(inboxes[0], reference))
        #expect(clean.exitCode == 0, "\(clean.stderr)")
        let expected = try partition(reference)
        #expect(expected.count > 3000)

        // A full switch from one register to the other, timed both ways, then runs killed at
        // moments spread over that time. The shorter switch is the one kept: a switch slowed
        // by other work on the machine would put most moments after the later runs' ends.
        let state = folder.file("state")
        #expect(try BinaryRunner.run(arguments(inboxes[0], state)).exitCode == 0)
        var runTime = Double.infinity
        for inbox in [inboxes[1], inboxes[0]] {
            let started = Date()
            #expect(try BinaryRunner.run(arguments(inbox, state)).exitCode == 0)
            runTime = min(runTime, Date().timeIntervalSince(started))
        }
        var random = SynthRandom(seed: 11)
        var kills = 0
        var attempt = 0
        // Until 24 runs were killed (a run that ends before its moment counts as a run, not a
        // kill), and at most 40 runs.
        while kills < 24 && attempt < 40 {
            defer { attempt += 1 }
            let fraction = 0.9 * (Double(attempt % 13) + Double(random.next() % 1000) / 1000) / 13
            let inbox = inboxes[(attempt + 1) % 2]  // the state holds the first register now
            if try runAndKill(arguments(inbox, state), after: max(0.02, runTime * fraction)) { kills += 1 }
            let status = try BinaryRunner.run(["status", "--json", "--limit", "100", "--state", state])
            #expect(status.exitCode == 0, "the store opens after kill \(attempt)")
            #expect(!status.stdout.contains("\"status\": \"running\""), "no run shows as running after kill \(attempt)")
            let snapshots = try BinaryRunner.run(["snapshots", pipeline, "--state", state, "--verify"])
            #expect(snapshots.exitCode == 0, "snapshots verify after kill \(attempt): \(snapshots.stdout)")
        }
        #expect(kills >= 20)

        // The next run completes, and gives the reference's residents: every record once, in
        // the same groups.
        let last = try BinaryRunner.run(arguments(inboxes[0], state))
        #expect(last.exitCode == 0, "\(last.stderr)")
        #expect(try partition(state) == expected)
        let status = try BinaryRunner.run(["status", "--json", "--limit", "100", "--state", state]).stdout
        #expect(!status.contains("\"status\": \"running\""))
        #expect(status.contains("\"status\": \"interrupted\""))
        let snapshots = try BinaryRunner.run(["snapshots", pipeline, "--state", state, "--verify"])
        #expect(snapshots.exitCode == 0)
        #expect(snapshots.stdout.components(separatedBy: "current version verified").count == 4)
        // The identified index holds every resident once.
        let residents = String(expected.count)
        let grouped = String(residents.dropLast(3)) + "," + String(residents.suffix(3))
        #expect(snapshots.stdout.contains("\(grouped) rows"))
    }

    /// A run killed with `kill -9` has no end time in `etl status` (not the moment the next run
    /// began), and its message says what of it became current instead of claiming nothing did.
    @Test func aKilledRunIsShownWithNoEndTime() throws {
        let folder = TemporaryDirectory()
        let inbox = folder.file("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        _ = try SynthWriter(profile: SynthProfile.named("default")!, seed: 5).write(people: 8000, to: inbox)
        let state = folder.file("state")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BinaryRunner.executable)
        process.arguments = arguments(inbox, state)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Killed as soon as the state store shows it running.
        var shownRunning = false
        while process.isRunning && !shownRunning {
            shownRunning = try BinaryRunner.run(["status", "--json", "--state", state]).stdout.contains(
                "\"status\": \"running\"")
        }
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try #require(shownRunning && killed, "the run ended before it could be killed")
        let preamble =
            "the process ended before the run did (killed, or the machine stopped), at a time not recorded; "

        func killedRun() throws -> [String: Any] {
            let status = try BinaryRunner.run(["status", "--json", "--state", state])
            #expect(status.exitCode == 0)
            let runs = try #require(
                try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
            return try #require(runs.first { $0["id"] as? Int == 1 })
        }
        for moment in ["before the next run", "after the next run"] {
            let run = try killedRun()
            #expect(run["status"] as? String == "interrupted", "\(moment)")
            #expect(run["finishedAt"] is NSNull, "\(moment)")
            #expect(run["durationSeconds"] is NSNull, "\(moment)")
            let message = try #require(run["message"] as? String)
            #expect(message.hasPrefix(preamble), "\(moment)")
            #expect(message.contains("its resolution of residents was"), "\(moment)")
            let text = try BinaryRunner.run(["status", "--state", state]).stdout
            let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("  1  synth") })
            #expect(row.contains(" interrupted ") && row.contains(" unknown "), "\(moment)")
            #expect(text.contains("\n\nInterrupted runs:\n  run 1: " + preamble), "\(moment)")
            if moment == "before the next run" {
                let next = try BinaryRunner.run(arguments(inbox, state))
                #expect(next.exitCode == 0, "\(next.stderr)")
                #expect(
                    next.stdout.contains("Earlier runs whose process ended before they did, now marked interrupted: 1"))
            }
        }
    }
}
