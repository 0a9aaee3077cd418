import ETLStore
import Foundation
import TestSupport
import Testing

/// Runs the built `etl` binary: arguments in; stdout, stderr and the exit code out.
@Suite struct CommandLineTests {
    @Test(arguments: [["--help"], ["help"], []])
    func helpGoesToStdoutWithExitZero(arguments: [String]) throws {
        let result = try BinaryRunner.run(arguments)
        #expect(result.exitCode == 0)
        #expect(result.stderr.isEmpty)
        for section in ["OVERVIEW:", "USAGE: etl <subcommand>", "OPTIONS:", "SUBCOMMANDS:", "EXIT CODES:"] {
            #expect(result.stdout.contains(section), "missing \(section)")
        }
        #expect(result.stdout.contains("  run "))
    }

    @Test(arguments: [["run", "--help"], ["help", "run"]])
    func commandHelpListsArgumentsAndOptions(arguments: [String]) throws {
        let result = try BinaryRunner.run(arguments)
        #expect(result.exitCode == 0)
        #expect(result.stdout.hasPrefix("OVERVIEW: Import a pipeline's sources"))
        #expect(result.stdout.contains("USAGE: etl run <pipeline> [--inbox <dir>] [--state <dir>] [--accept-shrink"))
        #expect(result.stdout.contains("ARGUMENTS:\n  <pipeline>"))
        #expect(result.stdout.contains("--state <dir>"))
    }

    @Test func versionGoesToStdout() throws {
        let result = try BinaryRunner.run(["--version"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.hasPrefix("etl "))
    }

    @Test func anUnknownOptionIsAUsageErrorWithASuggestion() throws {
        let result = try BinaryRunner.run(["run", "demo", "--stat", "x"])
        #expect(result.exitCode == 64)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr == """
                Error: Unknown option '--stat'. Did you mean '--state'?
                Usage: etl run <pipeline> [--inbox <dir>] [--state <dir>] [--accept-shrink <source[,source…]>] [--publish-dir <dir>] [--snapshot-date <YYYY-MM-DD>] [--log-format <text|json>]
                  See 'etl run --help' for more information.

                """)
    }

    @Test func anEmptyOptionValueIsAUsageError() throws {
        let result = try BinaryRunner.run(["status", "--state", ""])
        #expect(result.exitCode == 64)
        #expect(result.stderr.hasPrefix("Error: '--state' needs a value, not an empty one"))
    }

    @Test func anUnknownCommandIsAUsageError() throws {
        let result = try BinaryRunner.run(["rnu"])
        #expect(result.exitCode == 64)
        #expect(result.stderr.hasPrefix("Error: Unknown command 'rnu'. Did you mean 'run'?"))
    }

    @Test func aMissingArgumentIsAUsageError() throws {
        let result = try BinaryRunner.run(["validate"])
        #expect(result.exitCode == 64)
        #expect(result.stderr.hasPrefix("Error: Missing expected argument '<pipeline>'"))
    }
}

@Suite struct RunCommandTests {
    @Test func runsTheDemoOnTheFixtures() throws {
        let folder = TemporaryDirectory()
        let result = try BinaryRunner.run(["run", "demo", "--state", folder.file("state")])
        #expect(result.exitCode == 0, "\(result.stderr)")
        // No progress line when stderr is not a terminal; only the note that a demo key was made.
        #expect(
            result.stderr.split(separator: "\n").map(String.init) == [
                "Note: ETL_MASTER_KEY_FILE is not set, so a demo master key was generated at \(folder.file("state"))/demo-master.key (mode 0600) and will be reused; a real pipeline names its own key"
            ])
        #expect(result.stdout.hasPrefix("Run 1 of pipeline 'demo' succeeded"))
        #expect(result.stdout.contains("social_security   succeeded      1    25      20         5"))
        #expect(result.stdout.contains("health_insurance  succeeded      1    20      16         4"))
        #expect(result.stdout.contains("civil_affairs     succeeded      1    15      11         4"))
        #expect(result.stdout.contains("total                            3    60      47        13"))
        #expect(
            result.stdout.contains(
                "social_security: social_security_2026-11-26.csv:11: wrong field count: 9 fields, the header has 10"))
        #expect(result.stdout.contains("Rejected records fail a source only beyond its limits.maxRejectedShare"))
    }

    @Test func rejectsNeverPrintPersonalValues() throws {
        let folder = TemporaryDirectory()
        let result = try BinaryRunner.run(["run", "demo", "--state", folder.file("state")])
        // Names and ID numbers from the fixtures' rejected rows must not appear in the output.
        for value in ["黄志明", "510107198503120036", "林", "望平街"] {
            #expect(!result.stdout.contains(value))
            #expect(!result.stderr.contains(value))
        }
    }

    @Test func aPartialRunExitsTwoAndNamesTheFailedSource() throws {
        let folder = TemporaryDirectory()
        let inbox = folder.file("inbox")
        try FileManager.default.copyItem(atPath: Repository.path("fixtures/inbox"), toPath: inbox)
        try FileManager.default.removeItem(atPath: inbox + "/civil_affairs_2026-11-26.json")
        let result = try BinaryRunner.run(["run", "demo", "--inbox", inbox, "--state", folder.file("state")])
        #expect(result.exitCode == 2)
        #expect(result.stdout.contains("civil_affairs     failed"))
        #expect(result.stderr.hasPrefix("Error: civil_affairs: no file in \(inbox) matches 'civil_affairs*.json'"))
    }

    @Test func recordsNotDeletedForARejectedRowAreListedInTheSummary() throws {
        let folder = TemporaryDirectory()
        let inbox = folder.file("inbox")
        try FileManager.default.copyItem(atPath: Repository.path("fixtures/inbox"), toPath: inbox)
        let state = folder.file("state")
        _ = try BinaryRunner.run(["run", "demo", "--inbox", inbox, "--state", state])
        // YB5101070000104's element is broken where its key would be read, and
        // YB5101070000105 is gone: either could be the broken element, so neither is deleted.
        let path = inbox + "/health_insurance_2026-11-26.xml"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "<insuredId>YB5101070000104</insuredId>", with: "<insuredId>YB5101070000104</insuredI>")
        let gone = try #require(text.range(of: "<insuredId>YB5101070000105</insuredId>"))
        let start = try #require(
            text.range(of: "<person>", options: .backwards, range: text.startIndex..<gone.lowerBound))
        let end = try #require(text.range(of: "</person>", range: gone.upperBound..<text.endIndex))
        text.removeSubrange(start.lowerBound..<end.upperBound)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run(["run", "demo", "--inbox", inbox, "--state", state])
        #expect(result.exitCode == 0)
        #expect(
            result.stdout.contains(
                "Kept, not deleted:\n  health_insurance: 2 records missing from the export kept, not deleted: 1 rejected row has no record key that could be read"
            ), "\(result.stdout)")
        #expect(result.stderr.contains("Warning: health_insurance: 2 records missing from the export were kept"))
        let status = try BinaryRunner.run(["status", "--state", state])
        #expect(
            status.stdout.contains(
                "Records kept, not deleted:\n  run 2: health_insurance: 2 missing from the export kept, as a rejected record's key could not be read"
            ), "\(status.stdout)")
        let json = try BinaryRunner.run(["status", "--json", "--state", state])
        #expect(json.stdout.contains("\"name\": \"health_insurance\", \"status\": \"succeeded\""))
        #expect(json.stdout.contains("\"deleted\": 0, \"kept\": 0, \"heldBack\": 2"))
    }

    @Test func rejectsListsEveryRejectOfTheLatestImportsWithoutPersonalValues() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("state")
        let none = try BinaryRunner.run(["rejects", "demo", "--state", state])
        #expect(none.exitCode == 1)
        #expect(none.stderr.hasPrefix("Error: there is no state folder \(state);"))
        _ = try BinaryRunner.run(["run", "demo", "--state", state])
        let listed = try BinaryRunner.run(["rejects", "demo", "--state", state])
        #expect(listed.exitCode == 0)
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "run,source,file,line,record_index,byte_offset,category,reason,record_key")
        #expect(lines.count == 1 + 13)
        // A row with a field too few has no key to trust; one broken after its key has it.
        let row = { (line: Int) in
            lines.first { $0.hasPrefix("1,social_security,social_security_2026-11-26.csv,\(line),") } ?? ""
        }
        #expect(row(11).hasSuffix(",wrong field count,\"wrong field count: 9 fields, the header has 10\","))
        #expect(row(16).hasSuffix(",SB00100014"))
        // Revealed, each row gets its raw text, and the asking is audited; without --reveal, none
        // of the values in that text is printed.
        let revealed = try BinaryRunner.run(["rejects", "demo", "--reveal", "--state", state])
        for value in ["黄志明", "510105198208160139"] {
            #expect(revealed.stdout.contains(value))
            #expect(!listed.stdout.contains(value))
        }
        #expect(
            revealed.stdout.hasPrefix("run,source,file,line,record_index,byte_offset,category,reason,record_key,raw\n"))
        let audit = try StateStore(folder: state).auditLog(limit: 10)
        #expect(audit.map(\.action) == ["rejects --reveal"])
    }

    /// A failed source keeps none of what it read (its earlier records stay), so its records
    /// are neither shown as staged nor added to the staged total, by `etl run` or `etl status`.
    @Test func aFailedSourceCountsNoRecordAsStaged() throws {
        let folder = TemporaryDirectory()
        let inbox = folder.file("inbox")
        let state = folder.file("state")
        try FileManager.default.copyItem(atPath: Repository.path("fixtures/inbox"), toPath: inbox)
        #expect(try BinaryRunner.run(["run", "demo", "--inbox", inbox, "--state", state]).exitCode == 0)
        // Next night's social security export has 5 records of 20: the shrink guard refuses it.
        let csv = inbox + "/social_security_2026-11-26.csv"
        let lines = Array(try Data(contentsOf: URL(fileURLWithPath: csv))).split(
            separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        try Data(lines.prefix(7).joined(separator: [UInt8(ascii: "\n")]) + [UInt8(ascii: "\n")]).write(
            to: URL(fileURLWithPath: csv))
        let run = try BinaryRunner.run(["run", "demo", "--inbox", inbox, "--state", state])
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("Error: social_security: the export has 5 records, fewer than 50%"))
        #expect(run.stdout.contains("social_security   failed         1     5       0         0        0\n"))
        #expect(run.stdout.contains("total                            1     5       0         0        0\n"))
        #expect(
            run.stdout.contains(
                "social_security: social_security_2026-11-26.csv (GB18030, 836 B): read 5, rejected 0; none kept: the source failed and keeps its earlier records"
            ))
        let text = try BinaryRunner.run(["status", "--state", state])
        let second = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("  2  demo      partial") })
        #expect(second.contains("     5       0         0        0"))
        let json = try BinaryRunner.run(["status", "--json", "--state", state])
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let failed = try #require((runs.first?["sources"] as? [[String: Any]])?.first)
        #expect(failed["status"] as? String == "failed")
        #expect(failed["read"] as? Int == 5 && failed["staged"] as? Int == 0 && failed["rejected"] as? Int == 0)
    }

    /// The heading over the datasets counts the ones published, not the ones the pipeline has.
    @Test func thePublishedHeadingCountsWhatWasPublished() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("state")
        func run(_ date: String) throws -> String {
            let result = try BinaryRunner.run(["run", "demo", "--state", state, "--snapshot-date", date])
            #expect(result.exitCode == 0, "\(result.stderr)")
            return result.stdout
        }
        #expect(try run("2040-11-27").contains("\nPublished 3 datasets in "))
        // Five years on the elderly list has grown; the other datasets are as they were.
        #expect(try run("2045-11-27").contains("\nPublished 1 of 3 datasets (2 unchanged) in "))
        let again = try run("2045-11-27")
        #expect(again.contains("\nNo dataset published (all 3 unchanged) in "))
        #expect(!again.contains("Published 3"))
    }

    @Test func statusNamesWhySourcesFailed() throws {
        let folder = TemporaryDirectory()
        let inbox = folder.file("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        _ = try BinaryRunner.run(["run", "demo", "--inbox", inbox, "--state", folder.file("state")])
        let text = try BinaryRunner.run(["status", "--state", folder.file("state")])
        #expect(text.stdout.contains("Failed sources:\n  run 1: social_security: no file in"))
        let json = try BinaryRunner.run(["status", "--json", "--state", folder.file("state")])
        #expect(json.stdout.contains("\"message\": \"civil_affairs: no file in"))
    }

    @Test func aRunWhereEverySourceFailsExitsOne() throws {
        let folder = TemporaryDirectory()
        let empty = folder.file("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let result = try BinaryRunner.run(["run", "demo", "--inbox", empty, "--state", folder.file("state")])
        #expect(result.exitCode == 1)
        #expect(result.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("Error: ") }.count == 3)
    }

    @Test func anInvalidPipelineExitsFourWithDiagnostics() throws {
        let folder = TemporaryDirectory()
        let path = folder.write(
            "bad.json",
            "{\n  \"sources\": [\n    {\"name\": \"s\", \"format\": \"csv\", \"files\": \"s*.csv\", \"key\": \"k\",\n     \"fields\": {\"idNo\": \"x\"}}\n  ]\n}\n"
        )
        let result = try BinaryRunner.run(["run", path, "--state", folder.file("state")])
        #expect(result.exitCode == 4)
        #expect(
            result.stderr.hasPrefix("\(path):4:17: error: unknown canonical field 'idNo'; did you mean 'idNumber'?\n"))
        #expect(result.stderr.contains("Error: 1 error in \(path)"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("state")), "nothing runs for an invalid pipeline")
    }

    @Test func aMissingPipelineExitsOne() throws {
        let result = try BinaryRunner.run(["run", "no-such-pipeline"])
        #expect(result.exitCode == 1)
        #expect(
            result.stderr.hasPrefix(
                "Error: no pipeline 'no-such-pipeline'; looked for 'pipelines/no-such-pipeline.json'"))
    }
}

@Suite struct ValidateAndStatusTests {
    @Test func validatesTheDemo() throws {
        let result = try BinaryRunner.run(["validate", "demo"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(
            result.stdout
                == "pipelines/demo.json is valid: pipeline 'demo' with 3 sources (social_security, health_insurance, civil_affairs)\n"
        )
    }

    @Test func aGlobThatMatchesNothingFailsValidation() throws {
        let folder = TemporaryDirectory()
        let result = try BinaryRunner.run(["validate", "demo", "--inbox", folder.path])
        #expect(result.exitCode == 4)
        #expect(result.stderr.contains("pipelines/demo.json:11:16: error: social_security: no file in"))
        #expect(result.stderr.contains("Error: 3 errors in pipelines/demo.json"))
    }

    @Test func statusListsRunsNewestFirstAsTextAndJSON() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("state")
        // A state folder that exists but holds no run yet.
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
        let empty = try BinaryRunner.run(["status", "--state", state])
        #expect(empty.exitCode == 0)
        #expect(empty.stdout == "No runs yet in \(state).\n")
        #expect(try BinaryRunner.run(["status", "--json", "--state", state]).stdout == "[]\n")
        _ = try BinaryRunner.run(["run", "demo", "--state", state])
        _ = try BinaryRunner.run(["run", "demo", "--state", state])
        let text = try BinaryRunner.run(["status", "--state", state])
        #expect(text.stdout.hasPrefix("RUN  PIPELINE  STATUS     STARTED"))
        let json = try BinaryRunner.run(["status", "--json", "--state", state])
        #expect(json.exitCode == 0)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(runs.map { $0["id"] as? Int } == [2, 1])
        #expect(runs.first?["status"] as? String == "succeeded")
        #expect(runs.first?["startedAt"] is String)
        #expect(runs.first?["finishedAt"] is String)
        #expect(runs.first?["durationSeconds"] is Double || runs.first?["durationSeconds"] is Int)
        let residents = try #require(runs.last?["residents"] as? [String: Int])
        #expect((residents["created"] ?? 0) > 0)
        #expect(residents["merged"] == 0 && residents["split"] == 0 && residents["retired"] == 0)
        #expect(text.stdout.contains("RESIDENTS NEW/MERGED/SPLIT/RETIRED"))
        // The second run found every export unchanged and imported nothing.
        let second = try #require(runs.first?["sources"] as? [[String: Any]])
        #expect(second.map { $0["status"] as? String } == ["unchanged", "unchanged", "unchanged"])
        #expect(second.first?["read"] as? Int == 0)
        let sources = try #require(runs.last?["sources"] as? [[String: Any]])
        #expect(sources.map { $0["name"] as? String } == ["social_security", "health_insurance", "civil_affairs"])
        #expect(sources.first?["files"] as? Int == 1)
        #expect(sources.first?["read"] as? Int == 25)
        #expect(sources.first?["staged"] as? Int == 20)
        #expect(sources.first?["rejected"] as? Int == 5)
        #expect(sources.first?["message"] is NSNull)
    }

    @Test func statusReadsTheStateFolderFromTheEnvironment() throws {
        let folder = TemporaryDirectory()
        _ = try BinaryRunner.run(["run", "demo"], environment: ["ETL_STATE": folder.file("state")])
        let result = try BinaryRunner.run(["status", "--json"], environment: ["ETL_STATE": folder.file("state")])
        #expect(result.stdout.contains("\"id\": 1"))
    }

    @Test func linksListEveryCurrentRecordAndASecondRunKeepsEveryResidentID() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("state")
        let first = try BinaryRunner.run(["run", "demo", "--state", state])
        #expect(first.exitCode == 0)
        #expect(first.stdout.contains("47 records resolved into"))
        let links = try BinaryRunner.run(["links", "demo", "--state", state])
        #expect(links.exitCode == 0)
        #expect(links.stderr.isEmpty)
        let lines = links.stdout.split(separator: "\n")
        #expect(lines.first == "source,record_key,resident_id")
        #expect(lines.count == 48)
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",").last?.hasPrefix("R") == true })
        // The same resident twice in one department (fixtures/EXPECTED.md) shares one ID.
        let residentOf = Dictionary(
            uniqueKeysWithValues: lines.dropFirst().map { line -> (String, String) in
                let fields = line.split(separator: ",")
                return (fields[0] + ":" + fields[1], String(fields[2]))
            })
        #expect(residentOf["social_security:SB00100001"] == residentOf["social_security:SB00100011"])
        #expect(residentOf["social_security:SB00100001"] == residentOf["civil_affairs:MZ-2026-004512"])
        // A homophone of the name with the same valid ID number, in a register too small to
        // teach the model much, is still the same resident.
        #expect(residentOf["social_security:SB00100001"] == residentOf["health_insurance:YB5101070000101"])
        // The same exports again: nothing is imported or resolved.
        let second = try BinaryRunner.run(["run", "demo", "--state", state])
        #expect(second.exitCode == 0)
        #expect(second.stdout.contains("Residents: no record changed since run 1"))
        // The same exports through an edited pipeline file: all is imported and resolved
        // again, and every resident keeps its ID.
        var demo = try String(contentsOfFile: Repository.path("pipelines/demo.json"), encoding: .utf8)
        demo = demo.replacingOccurrences(
            of: "\"inbox\": \"../fixtures/inbox\",", with: "\"inbox\": \"\(Repository.path("fixtures/inbox"))\",")
        let edited = folder.write("demo.json", demo)
        let third = try BinaryRunner.run(["run", edited, "--state", state])
        #expect(third.exitCode == 0)
        #expect(third.stdout.contains("47 records resolved into"))
        #expect(third.stdout.contains("0 new, 0 merged, 0 split, 0 retired"))
        let again = try BinaryRunner.run(["links", "demo", "--state", state])
        #expect(again.stdout == links.stdout)
    }

    /// A mistyped --state or ETL_STATE must not read as "no runs yet" and exit 0.
    @Test func statusOfAStateFolderThatDoesNotExistFails() throws {
        let folder = TemporaryDirectory()
        let missing = folder.file("does-not-exist")
        for arguments in [["status", "--state", missing], ["status", "--json", "--state", missing]] {
            let result = try BinaryRunner.run(arguments)
            #expect(result.exitCode == 1)
            #expect(result.stdout.isEmpty)
            #expect(
                result.stderr.hasPrefix("Error: there is no state folder \(missing); check the folder given by --state")
            )
            #expect(result.stderr.contains("ETL_STATE"))
        }
        let fromEnvironment = try BinaryRunner.run(["status"], in: folder.path, environment: ["ETL_STATE": missing])
        #expect(fromEnvironment.exitCode == 1)
        #expect(fromEnvironment.stderr.hasPrefix("Error: there is no state folder \(missing);"))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func linksWithoutARunSaySoAndFail() throws {
        let folder = TemporaryDirectory()
        let result = try BinaryRunner.run(["links", "demo", "--state", folder.file("none")])
        #expect(result.exitCode == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("Error: no runs yet in"))
    }

    @Test func aPipelineThatOnlyStagesHasNoLinksAndSaysWhy() throws {
        let folder = TemporaryDirectory()
        var demo = try String(contentsOfFile: Repository.path("pipelines/demo.json"), encoding: .utf8)
        let inbox = Repository.path("fixtures/inbox")
        demo = demo.replacingOccurrences(
            of: "\"inbox\": \"../fixtures/inbox\",",
            with: "\"inbox\": \"\(inbox)\", \"resolve\": { \"enabled\": false },")
        // A pipeline that does not resolve has nothing to publish.
        demo = String(demo[..<demo.range(of: ",\n  \"publish\"")!.lowerBound]) + "\n}\n"
        let pipeline = folder.write("stage-only.json", demo)
        let run = try BinaryRunner.run(["run", pipeline, "--state", folder.file("state")])
        #expect(run.exitCode == 0)
        #expect(!run.stdout.contains("Residents:"))
        let links = try BinaryRunner.run(["links", pipeline, "--state", folder.file("state")])
        #expect(links.exitCode == 1)
        #expect(links.stdout.isEmpty)
        #expect(links.stderr.contains("does not resolve residents"))
    }

    @Test func keygenWritesAPrivateKeyOnceAndPrintsOnlyItsID() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("master.key")
        let first = try BinaryRunner.run(["keygen", path])
        #expect(first.exitCode == 0)
        #expect(first.stderr.isEmpty)
        let key = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.count == 64)
        #expect(!first.stdout.contains(key))
        #expect(first.stdout.contains("key ID "))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try BinaryRunner.run(["keygen", path])
        #expect(again.exitCode == 1)
        #expect(again.stderr.hasPrefix("Error: \(path) already exists"))
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains(key))
    }

    @Test func aSecondRunOnTheSameStateFolderExitsWithThreeAndNamesTheHolder() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        // Hold the lock as a running etl would.
        let descriptor = open(state + "/run.lock", O_CREAT | O_RDWR, 0o600)
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let owner = "pid 4242 on testhost, started 2026-11-27T01:00:00Z"
        _ = owner.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        let blocked = try BinaryRunner.run(["run", "demo", "--state", state])
        #expect(blocked.exitCode == 3)
        #expect(blocked.stdout.isEmpty)
        #expect(blocked.stderr.contains("another etl run is using the state folder"))
        #expect(blocked.stderr.contains(owner))
        // The holder ends without cleaning up: its lock is taken over, with a warning.
        close(descriptor)
        let next = try BinaryRunner.run(["run", "demo", "--state", state])
        #expect(next.exitCode == 0)
        #expect(next.stderr.contains("Warning: took over the lock of a run that ended without releasing it (\(owner))"))
        // A clean run leaves no owner behind.
        let clean = try BinaryRunner.run(["run", "demo", "--state", state])
        #expect(clean.exitCode == 0)
        #expect(clean.stderr.isEmpty)
    }

    @Test func acceptShrinkMustNameASourceOfThePipeline() throws {
        let folder = TemporaryDirectory()
        let result = try BinaryRunner.run([
            "run", "demo", "--state", folder.file("s"), "--accept-shrink", "social_securty",
        ])
        #expect(result.exitCode == 64)
        #expect(
            result.stderr.hasPrefix(
                "Error: Unknown source 'social_securty' in --accept-shrink. Did you mean 'social_security'? The sources of "
            ))
        #expect(result.stderr.contains("demo.json are: social_security, health_insurance, civil_affairs;"))
    }

    @Test func anAcceptShrinkNameLikeNoSourceListsTheSources() throws {
        let folder = TemporaryDirectory()
        let result = try BinaryRunner.run(["run", "demo", "--state", folder.file("s"), "--accept-shrink", "nosuch"])
        #expect(result.exitCode == 64)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr.hasPrefix(
                "Error: Unknown source 'nosuch' in --accept-shrink. The sources of pipelines/demo.json are: social_security, health_insurance, civil_affairs; name one or more of them, separated by commas\nUsage: etl run"
            ))
        #expect(!FileManager.default.fileExists(atPath: folder.file("s")))
    }
}
