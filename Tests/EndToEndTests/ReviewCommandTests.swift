import Foundation
import TestSupport
import Testing

@testable import ETLStore

/// `etl review`: the queue of uncertain pairs, and decisions that bind every later run.
@Suite struct ReviewCommandTests {
    private let pair = ["civil_affairs:MZ-2026-004519", "social_security:SB00100013"]

    private func resident(of record: String, _ state: String) throws -> String? {
        let links = try BinaryRunner.run(["links", "demo", "--state", state]).stdout
        let parts = record.split(separator: ":")
        return links.split(separator: "\n").first { $0.hasPrefix(parts[0] + "," + parts[1] + ",") }?
            .split(separator: ",").last.map(String.init)
    }

    @Test func aDecisionChangesTheNextRunAndKeepsBinding() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("state")
        #expect(try BinaryRunner.run(["run", "demo", "--state", state]).exitCode == 0)
        let list = try BinaryRunner.run(["review", "list", "demo", "--state", state])
        #expect(list.exitCode == 0)
        #expect(list.stdout.contains("Pair 1:"))
        #expect(list.stdout.contains(pair[0] + " ~ " + pair[1]))
        #expect(try resident(of: pair[0], state) != (try resident(of: pair[1], state)))

        // "same": the next run joins them, though no export changed.
        let decide = try BinaryRunner.run(["review", "decide", "demo", "1", "same", "--state", state])
        #expect(decide.exitCode == 0, "\(decide.stderr)")
        let joined = try BinaryRunner.run(["run", "demo", "--state", state])
        #expect(joined.stdout.contains("0 new, 1 merged, 0 split, 0 retired"))
        #expect(try resident(of: pair[0], state) == (try resident(of: pair[1], state)))
        #expect(try BinaryRunner.run(["review", "list", "demo", "--state", state]).stdout.contains("is empty"))

        // It binds after the model is estimated again (an edited pipeline file resolves anew).
        var demo = try String(contentsOfFile: Repository.path("pipelines/demo.json"), encoding: .utf8)
        demo = demo.replacingOccurrences(
            of: "\"../fixtures/inbox\"", with: "\"\(Repository.path("fixtures/inbox"))\"")
        demo = demo.replacingOccurrences(
            of: "\"name\": \"demo\",", with: "\"name\": \"demo\", \"resolve\": { \"threshold\": 0.995 },")
        let edited = folder.write("demo-edited.json", demo)
        let rerun = try BinaryRunner.run(["run", edited, "--state", state])
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("Residents: 47 records resolved"))
        #expect(try resident(of: pair[0], state) == (try resident(of: pair[1], state)))

        // "different" splits them again; the resident ID stays with one part.
        let before = try resident(of: pair[1], state)
        #expect(
            try BinaryRunner.run(["review", "decide", "demo", pair[0], pair[1], "different", "--state", state]).exitCode
                == 0)
        let split = try BinaryRunner.run(["run", "demo", "--state", state])
        #expect(split.stdout.contains("1 split"))
        #expect(try resident(of: pair[0], state) != (try resident(of: pair[1], state)))
        #expect(try resident(of: pair[1], state) == before)
        // Who decided, and when.
        let decisions = try StateStore(folder: state).decisions(pipeline: "demo")
        #expect(decisions.count == 1 && decisions[0].same == false && decisions[0].who.contains("uid"))
    }

    @Test func decisionsMadeInASpreadsheetAreImported() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("state")
        #expect(try BinaryRunner.run(["run", "demo", "--state", state]).exitCode == 0)
        let export = try BinaryRunner.run(["review", "export", "demo", "--state", state])
        #expect(export.exitCode == 0)
        let lines = export.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("pair,record_a,record_b,probability,a_name,b_name"))
        #expect(!export.stdout.contains("吴") || export.stdout.contains("吴*"))
        let filled = lines[0] + "\r\n" + lines[1] + "same\r\n"
        let path = folder.write("decisions.csv", filled)
        let imported = try BinaryRunner.run(["review", "import", "demo", path, "--state", state])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("Recorded 1 decision."))
        #expect(try BinaryRunner.run(["run", "demo", "--state", state]).stdout.contains("1 merged"))

        let bad = folder.write("bad.csv", lines[0] + "\r\n" + lines[1] + "maybe\r\n")
        let refused = try BinaryRunner.run(["review", "import", "demo", bad, "--state", state])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("bad.csv:2: the decision must be 'same' or 'different', not 'maybe'"))
    }

    @Test func decisionsSurviveGc() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("state")
        #expect(try BinaryRunner.run(["run", "demo", "--state", state]).exitCode == 0)
        #expect(try BinaryRunner.run(["review", "decide", "demo", "1", "same", "--state", state]).exitCode == 0)
        #expect(try BinaryRunner.run(["gc", "demo", "--state", state]).exitCode == 0)
        #expect(try StateStore(folder: state).decisions(pipeline: "demo").count == 1)
    }
}
