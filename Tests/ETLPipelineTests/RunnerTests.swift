import ETLCore
import ETLPipeline
import Foundation
import TestSupport
import Testing

@testable import ETLStore

@Suite struct RunnerTests {
    /// A copy of the fixture inbox that a test may change.
    private func inbox(_ folder: TemporaryDirectory) throws -> String {
        let inbox = folder.file("inbox")
        try FileManager.default.copyItem(atPath: Repository.path("fixtures/inbox"), toPath: inbox)
        return inbox
    }

    private func demo() throws -> Pipeline {
        try Pipeline.load(path: Repository.path("pipelines/demo.json")).0
    }

    @Test func importsTheFixturesWithEveryRecordAccountedFor() throws {
        let folder = TemporaryDirectory()
        let report = try Runner(pipeline: demo(), inbox: inbox(folder), stateFolder: folder.file("state")).run()
        #expect(report.status == .succeeded)
        let counts = report.sources.map { [$0.name: [$0.counts.read, $0.counts.staged, $0.counts.rejected]] }
        #expect(
            counts == [
                ["social_security": [25, 20, 5]], ["health_insurance": [20, 16, 4]], ["civil_affairs": [15, 11, 4]],
            ])
        for file in report.sources.flatMap(\.files) {
            #expect(file.counts.read == file.counts.staged + file.counts.rejected)
        }
        #expect(report.sources[0].files.first?.encoding == "GB18030")
        #expect(report.rejects.count == 13)
        #expect(report.rejects.map(\.line).prefix(5) == [11, 16, 18, 20, 22])
    }

    @Test func aSecondRunReplacesTheRecordsInsteadOfAddingThem() throws {
        let folder = TemporaryDirectory()
        let runner = try Runner(pipeline: demo(), inbox: inbox(folder), stateFolder: folder.file("state"))
        _ = try runner.run()
        let second = try runner.run()
        #expect(second.runID == 2)
        let store = try StateStore(folder: folder.file("state"))
        #expect(try store.stagedCount(pipeline: "demo", source: "social_security") == 20)
        #expect(try store.stagedCount(pipeline: "demo", source: "civil_affairs") == 11)
        #expect(try store.runs().count == 2)
    }

    @Test func aMissingColumnFailsOnlyThatSourceAndKeepsItsEarlierRecords() throws {
        let folder = TemporaryDirectory()
        let inbox = try inbox(folder)
        let runner = try Runner(pipeline: demo(), inbox: inbox, stateFolder: folder.file("state"))
        _ = try runner.run()
        // Next night's export renames the ID column.
        let csv = inbox + "/social_security_2026-11-26.csv"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: csv)))
        let header = GB18030.encode("公民身份号码")
        let renamed = GB18030.encode("身份证号码啊")
        let at = try #require(bytes.firstRange(of: header))
        bytes.replaceSubrange(at, with: renamed)
        try Data(bytes).write(to: URL(fileURLWithPath: csv))
        let report = try runner.run()
        #expect(report.status == .partial)
        let failed = try #require(report.sources.first { $0.name == "social_security" })
        #expect(failed.status == .failed)
        let message = try #require(failed.failure)
        #expect(message.contains("social_security_2026-11-26.csv has no column '公民身份号码'"))
        #expect(message.contains("demo.json:19:"))
        #expect(report.sources.filter { $0.status == .unchanged }.count == 2)
        let store = try StateStore(folder: folder.file("state"))
        #expect(try store.stagedCount(pipeline: "demo", source: "social_security") == 20)
    }

    @Test func everyMissingColumnIsNamedWithWhereThePipelineMapsIt() throws {
        let folder = TemporaryDirectory()
        let inbox = try inbox(folder)
        let csv = inbox + "/social_security_2026-11-26.csv"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: csv)))
        for (old, new) in [("姓名", "名字"), ("联系电话", "电话号")] {
            let at = try #require(bytes.firstRange(of: GB18030.encode(old)))
            bytes.replaceSubrange(at, with: GB18030.encode(new))
        }
        try Data(bytes).write(to: URL(fileURLWithPath: csv))
        let report = try Runner(pipeline: demo(), inbox: inbox, stateFolder: folder.file("state")).run()
        let message = try #require(report.sources.first { $0.name == "social_security" }?.failure)
        #expect(message.contains("has none of the columns '姓名'"), "\(message)")
        #expect(message.contains("'联系电话'"))
        #expect(message.contains("the pipeline maps fields from them: '姓名' at "), "\(message)")
        #expect(message.contains("'联系电话' at "))
    }

    @Test func aBrokenJSONDocumentFailsTheSourceAndKeepsItsEarlierRecords() throws {
        let folder = TemporaryDirectory()
        let inbox = try inbox(folder)
        let runner = try Runner(pipeline: demo(), inbox: inbox, stateFolder: folder.file("state"))
        _ = try runner.run()
        let json = inbox + "/civil_affairs_2026-11-26.json"
        let text = try String(contentsOfFile: json, encoding: .utf8)
        try String(text.dropLast(30)).write(toFile: json, atomically: true, encoding: .utf8)
        let report = try runner.run()
        let civil = try #require(report.sources.first { $0.name == "civil_affairs" })
        #expect(civil.status == .failed)
        #expect(civil.failure?.contains("the JSON document is broken") == true)
        let store = try StateStore(folder: folder.file("state"))
        #expect(try store.stagedCount(pipeline: "demo", source: "civil_affairs") == 11)
    }

    @Test func aSourceWithNoFilesFailsWithTheGlobAndInbox() throws {
        let folder = TemporaryDirectory()
        let inbox = try inbox(folder)
        try FileManager.default.removeItem(atPath: inbox + "/health_insurance_2026-11-26.xml")
        let report = try Runner(pipeline: demo(), inbox: inbox, stateFolder: folder.file("state")).run()
        #expect(report.status == .partial)
        let health = try #require(report.sources.first { $0.name == "health_insurance" })
        #expect(health.failure?.contains("matches 'health_insurance*.xml'") == true)
    }

    @Test func everySourceFailingFailsTheRun() throws {
        let folder = TemporaryDirectory()
        let empty = folder.file("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let report = try Runner(pipeline: demo(), inbox: empty, stateFolder: folder.file("state")).run()
        #expect(report.status == .failed)
        let runs = try StateStore(folder: folder.file("state")).runs()
        #expect(runs.first?.status == .failed)
    }

    @Test func readsJSONLinesThroughThePerGlobFormat() throws {
        let folder = TemporaryDirectory()
        let inbox = folder.file("inbox")
        try FileManager.default.copyItem(atPath: Repository.path("fixtures/jsonl"), toPath: inbox)
        let report = try Runner(pipeline: demo(), inbox: inbox, stateFolder: folder.file("state")).run()
        let civil = try #require(report.sources.first { $0.name == "civil_affairs" })
        #expect(civil.status == .succeeded)
        #expect(civil.counts == RecordCounts(read: 10, staged: 8, rejected: 2))
    }

    @Test func namesAndKeysThatLookLikeSQLAreStoredIntact() throws {
        let folder = TemporaryDirectory()
        let inbox = folder.file("inbox")
        let hostile = "'); DROP TABLE staged_records; --"
        folder.write(
            "inbox/social_security_x.csv",
            "个人编号,姓名,性别,出生日期,公民身份号码,联系电话,户籍地址,参保状态,参保日期,单位名称\r\n"
                + "\"\(hostile)\",\"\(hostile)\",男,1990-01-01,,,,,,\r\n")
        let pipeline = try demo()
        var single = pipeline
        single.sources = [pipeline.sources[0]]
        _ = try Runner(pipeline: single, inbox: inbox, stateFolder: folder.file("state")).run()
        let cursor = try StateStore(folder: folder.file("state")).stagedRecords(pipeline: "demo")
        let record = try #require(try cursor.next()).record
        #expect(record.key == hostile)
        #expect(record.fields.name == hostile)
    }

    /// An export in the inbox that is a symbolic link to a file elsewhere, or sits in a linked
    /// folder, fails its source unless the pipeline names the folder in `allowedFolders`.
    @Test(arguments: [false, true])
    func aSymbolicLinkOutOfTheInboxFailsItsSourceUnlessItsFolderIsAllowed(linksTheFolder: Bool) throws {
        let folder = TemporaryDirectory()
        let inbox = folder.file("inbox")
        let outside = folder.file("elsewhere")
        folder.write(
            "elsewhere/social_security_x.csv",
            "个人编号,姓名,性别,出生日期,公民身份号码,联系电话,户籍地址,参保状态,参保日期,单位名称\r\nK1,测试,男,1990-01-01,,,,,,\r\n")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        var glob = "social_security*.csv"
        if linksTheFolder {
            try FileManager.default.createSymbolicLink(atPath: inbox + "/linked", withDestinationPath: outside)
            glob = "linked/social_security*.csv"
        } else {
            try FileManager.default.createSymbolicLink(
                atPath: inbox + "/social_security_x.csv", withDestinationPath: outside + "/social_security_x.csv")
        }
        var pipeline = try demo()
        var source = pipeline.sources[0]
        source.files = [source.files[0]]
        source.files[0].glob = glob
        pipeline.sources = [source]
        // One record is too few for the demo's datasets; this test is about the import.
        pipeline.publish = nil
        let refused = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: folder.file("state")).run()
        #expect(refused.status == .failed)
        let message = try #require(refused.sources.first?.failure)
        #expect(message.contains("leads outside the inbox"))
        #expect(message.contains("allowedFolders"))

        pipeline.allowedFolders = [outside]
        let allowed = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: folder.file("state")).run()
        #expect(allowed.status == .succeeded)
        #expect(allowed.sources.first?.counts.staged == 1)
    }
}

extension RunnerTests {
    @Test func aRecordMissingFromTheNewExportIsDeletedWithTheRun() throws {
        let folder = TemporaryDirectory()
        let inbox = try inbox(folder)
        let pipeline = try Pipeline.load(path: Repository.path("pipelines/demo.json")).0
        let first = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: folder.file("state")).run()
        #expect(first.sources.map(\.deleted) == [0, 0, 0])
        // The next civil affairs export no longer has case MZ-2026-004515.
        let path = inbox + "/civil_affairs_2026-11-26.json"
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        try lines.filter { !$0.contains("MZ-2026-004515") }.joined(separator: "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let second = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: folder.file("state")).run()
        #expect(second.status == .succeeded)
        #expect(second.sources.map(\.deleted) == [0, 0, 1])
        let store = try StateStore(folder: folder.file("state"))
        let links = try store.links(pipeline: "demo")
        #expect(!links.contains { $0.key == "MZ-2026-004515" })
        let history = try store.runs(limit: 1)
        #expect(history.first?.sources.map(\.deleted) == [0, 0, 1])
        #expect(history.first?.datasets.map(\.name) == ["elderly_care", "population_statistics", "service_index"])
        let deleted = try store.database.scalar(
            "SELECT count(*) FROM deleted_records WHERE record_key = 'MZ-2026-004515' AND run_id = ?",
            [.integer(second.runID)])
        #expect(deleted?.int64 == 1)
    }
}

extension RunnerTests {
    @Test func aRecordWhoseNewRowIsRejectedKeepsItsResidentInsteadOfBeingDeleted() throws {
        let folder = TemporaryDirectory()
        let inbox = try inbox(folder)
        let pipeline = try demo()
        let state = folder.file("state")
        _ = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: state).run()
        let resident = { (key: String) throws -> String? in
            try StateStore(folder: state).links(pipeline: "demo").first { $0.key == key }?.residentID
        }
        let before = try #require(try resident("SB00100001"))
        // The next social security export has a byte that is no GB18030 at the end of
        // SB00100001's row, after its key.
        let path = inbox + "/social_security_2026-11-26.csv"
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var lines = [UInt8](original).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(
            Array.init)
        let row = try #require(lines.firstIndex { $0.starts(with: Array("SB00100001,".utf8)) })
        let end = lines[row].last == UInt8(ascii: "\r") ? lines[row].count - 1 : lines[row].count
        lines[row].insert(0xFF, at: end)
        try Data(Array(lines.joined(separator: [UInt8(ascii: "\n")]))).write(to: URL(fileURLWithPath: path))
        let broken = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: state).run()
        #expect(broken.status == .succeeded)
        #expect(broken.sources[0].deleted == 0)
        #expect(broken.sources[0].keptForRejects == 1)
        #expect(try resident("SB00100001") == before)
        // Fixed the night after, the record is the one it was: same values, same resident.
        try original.write(to: URL(fileURLWithPath: path))
        let fixed = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: state).run()
        #expect(fixed.sources[0].keptForRejects == 0)
        #expect(try resident("SB00100001") == before)
        #expect(fixed.resolution == nil)
    }
}

extension RunnerTests {
    @Test func aRunStoppedAfterImportingIsResolvedByTheNextRun() throws {
        let folder = TemporaryDirectory()
        let inbox = try inbox(folder)
        let pipeline = try Pipeline.load(path: Repository.path("pipelines/demo.json")).0
        _ = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: folder.file("state")).run()
        // A new civil affairs export, imported whole; the stop comes once it is current, that
        // is after the imports and before resolving.
        let path = inbox + "/civil_affairs_2026-11-26.json"
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        try lines.filter { !$0.contains("MZ-2026-004515") }.joined(separator: "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let state = folder.file("state")
        var stopped = Runner(pipeline: pipeline, inbox: inbox, stateFolder: state)
        stopped.stopRequested = {
            let store = try? StateStore(folder: state)
            let current = try? store?.database.scalar(
                "SELECT current_run_id FROM sources WHERE name = 'civil_affairs'")?.int64
            return (current ?? 0) > 1 ? "SIGTERM" : nil
        }
        let interrupted = try stopped.run()
        #expect(interrupted.status == .interrupted)
        #expect(interrupted.sources[2].status == .succeeded)
        #expect(interrupted.resolution == nil)
        // Every export is now the current one, but the residents were never resolved from it:
        // the next run must resolve, not report them unchanged.
        let next = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: folder.file("state")).run()
        #expect(next.sources.map(\.status) == [.unchanged, .unchanged, .unchanged])
        #expect(next.resolutionUnchangedSince == nil)
        #expect(next.resolution?.records == 46)
        // And the one after that has nothing left to do.
        let third = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: folder.file("state")).run()
        #expect(third.resolutionUnchangedSince == next.runID)
    }
}

extension RunnerTests {
    @Test func editingOnlyThePublishSectionImportsAndResolvesNothingAgain() throws {
        let folder = TemporaryDirectory()
        let inbox = try inbox(folder)
        let state = folder.file("state")
        let demo = try String(contentsOfFile: Repository.path("pipelines/demo.json"), encoding: .utf8)
        let first = try Runner(
            pipeline: try Pipeline.load(path: Repository.path("pipelines/demo.json")).0, inbox: inbox,
            stateFolder: state
        ).run()
        #expect(first.resolution != nil)
        // The same pipeline with another retention and description: only publishing changed.
        let edited = folder.write(
            "demo.json",
            demo.replacingOccurrences(of: "\"retain\": 5", with: "\"retain\": 7").replacingOccurrences(
                of: "\"description\": \"The district's", with: "\"description\": \"Edited. The district's"))
        let pipeline = try Pipeline.load(path: edited).0
        #expect(pipeline.publish?.retain == 7)
        #expect(pipeline.sha256 != (try Pipeline.load(path: Repository.path("pipelines/demo.json")).0.sha256))
        let second = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: state).run()
        #expect(second.sources.map(\.status) == [.unchanged, .unchanged, .unchanged])
        #expect(second.resolutionUnchangedSince == first.runID)
        #expect(second.publication?.datasets.count == 3)
        // A change that import depends on still imports again.
        let stricter = folder.write(
            "stricter.json",
            demo.replacingOccurrences(of: "\"maxRejectedShare\": 0.3", with: "\"maxRejectedShare\": 0.35"))
        let third = try Runner(pipeline: try Pipeline.load(path: stricter).0, inbox: inbox, stateFolder: state).run()
        #expect(third.sources.map(\.status) == [.succeeded, .succeeded, .succeeded])
    }
}

@Suite struct RunnerExportTests {
    private let header = "id,name,addr\n"

    /// A one-source CSV pipeline over `inbox`, with the given export selection.
    private func pipeline(
        _ folder: TemporaryDirectory, export: String = "newest-file", limits: String = #"{"maxRejectedShare": 0.5}"#
    ) throws -> Pipeline {
        let path = folder.write(
            "p.json",
            """
            {"inbox": "inbox", "sources": [{"name": "ss", "format": "csv", "files": "ss_*.csv", "export": "\(export)",
              "key": "id", "fields": {"name": "name", "address": "addr"}, "limits": \(limits)}]}
            """)
        return try Pipeline.load(path: path).0
    }

    private func keys(_ folder: TemporaryDirectory) throws -> [String: String?] {
        let cursor = try StateStore(folder: folder.file("state")).stagedRecords(pipeline: "p")
        var keys: [String: String?] = [:]
        while let staged = try cursor.next() { keys[staged.record.key] = staged.record.fields.address }
        return keys
    }

    /// Sets a file's modification time, so "newest" does not depend on how fast the test runs.
    private func touch(_ path: String, secondsAgo: Int) throws {
        let date = Date(timeIntervalSinceNow: TimeInterval(-secondsAgo))
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }

    @Test func theNewestFileIsTheExportAndOlderOnesAreNamed() throws {
        let folder = TemporaryDirectory()
        try touch(folder.write("inbox/ss_2026-11-26.csv", header + "1,A,old\n2,B,old\n"), secondsAgo: 86_400)
        try touch(folder.write("inbox/ss_2026-11-27.csv", header + "1,A,new\n3,C,new\n"), secondsAgo: 10)
        let report = try Runner(pipeline: pipeline(folder), stateFolder: folder.file("state")).run()
        #expect(report.status == .succeeded)
        #expect(report.sources[0].files.map(\.name) == ["ss_2026-11-27.csv"])
        #expect(report.sources[0].olderFiles == ["ss_2026-11-26.csv"])
        #expect(try keys(folder) == ["1": "new", "3": "new"])
    }

    @Test func allFilesTogetherFormOneExportWhenThePipelineSaysSo() throws {
        let folder = TemporaryDirectory()
        folder.write("inbox/ss_part1.csv", header + "1,A,x\n")
        folder.write("inbox/ss_part2.csv", header + "2,B,y\n1,A,z\n")
        let report = try Runner(pipeline: pipeline(folder, export: "all-files"), stateFolder: folder.file("state"))
            .run()
        #expect(report.sources[0].files.count == 2)
        #expect(report.sources[0].counts == RecordCounts(read: 3, staged: 2, rejected: 1))
        #expect(try keys(folder) == ["1": "x", "2": "y"])
    }

    @Test func anExportWhereNothingCouldBeStagedKeepsTheEarlierRecords() throws {
        let folder = TemporaryDirectory()
        let file = folder.write("inbox/ss_1.csv", header + "1,A,x\n2,B,y\n")
        let runner = try Runner(pipeline: pipeline(folder), stateFolder: folder.file("state"))
        _ = try runner.run()
        folder.write("inbox/ss_1.csv", header + "1,A,x,EXTRA\n2,B,y,EXTRA\n")
        _ = file
        let report = try runner.run()
        #expect(report.status == .failed)
        #expect(report.sources[0].failure?.contains("no record of the export could be staged") == true)
        #expect(report.sources[0].failure?.contains("the earlier records are kept") == true)
        #expect(try keys(folder) == ["1": "x", "2": "y"])
    }

    @Test func aMissingInboxFailsBeforeTheRunStarts() throws {
        let folder = TemporaryDirectory()
        let runner = try Runner(pipeline: pipeline(folder), stateFolder: folder.file("state"))
        #expect(throws: PipelineError.self) { try runner.run() }
        #expect(!FileManager.default.fileExists(atPath: folder.file("state")))
    }

    @Test func anInboxPathWithGlobCharactersMatchesItself() throws {
        let folder = TemporaryDirectory()
        folder.write("in[1]/ss_1.csv", header + "1,A,x\n")
        let report = try Runner(pipeline: pipeline(folder), inbox: folder.file("in[1]"), stateFolder: folder.file("s"))
            .run()
        #expect(report.status == .succeeded)
    }

    @Test func tooManyRejectsFailTheSourceAndKeepItsRecords() throws {
        let folder = TemporaryDirectory()
        folder.write("inbox/ss_1.csv", header + "1,A,x\n2,B,y\n3,C,z\n")
        let strict = try pipeline(folder, limits: "{}")
        _ = try Runner(pipeline: strict, stateFolder: folder.file("state")).run()
        folder.write("inbox/ss_1.csv", header + "1,A,x\n2,B,y\n3,C,z,EXTRA\n4,D,w\n")
        let report = try Runner(pipeline: strict, stateFolder: folder.file("state")).run()
        #expect(report.status == .failed)
        let failure = try #require(report.sources[0].failure)
        #expect(
            failure.contains(
                "1 of 4 records were rejected (25%), more than limits.maxRejectedShare allows: 1% (the default)"))
        #expect(failure.contains("the earlier records are kept"))
        #expect(try keys(folder) == ["1": "x", "2": "y", "3": "z"])
    }

    @Test func theShrinkGuardKeepsARegisterThatHalvedUnlessAccepted() throws {
        let folder = TemporaryDirectory()
        folder.write("inbox/ss_1.csv", header + "1,A,x\n2,B,y\n3,C,z\n4,D,w\n5,E,v\n")
        let configured = try pipeline(folder)
        _ = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        folder.write("inbox/ss_1.csv", header + "1,A,x\n2,B,y\n")
        let refused = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        #expect(refused.status == .failed)
        #expect(
            refused.sources[0].failure?.contains(
                "the export has 2 records, fewer than 50% of the 5 staged now (limits.minShareOfPrevious)") == true)
        #expect(refused.sources[0].failure?.contains("--accept-shrink ss") == true)
        #expect(try keys(folder).count == 5)
        let accepted = try Runner(pipeline: configured, stateFolder: folder.file("state"), acceptShrink: ["ss"]).run()
        #expect(accepted.status == .succeeded)
        #expect(try keys(folder) == ["1": "x", "2": "y"])
    }

    @Test func aStopRequestEndsTheRunCleanlyAndKeepsTheEarlierRecords() throws {
        let folder = TemporaryDirectory()
        folder.write("inbox/ss_1.csv", header + "1,A,x\n2,B,y\n")
        let configured = try pipeline(folder)
        _ = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        // A new export of several batches; the stop comes while it is imported.
        let rows = (1...6000).map { "\($0),N\($0),a\($0)\n" }.joined()
        folder.write("inbox/ss_1.csv", header + rows)
        final class Calls: @unchecked Sendable { var count = 0 }
        let calls = Calls()
        var runner = Runner(pipeline: configured, stateFolder: folder.file("state"))
        runner.stopRequested = {
            calls.count += 1
            return calls.count >= 3 ? "SIGTERM" : nil
        }
        let report = try runner.run()
        #expect(report.status == .interrupted)
        #expect(report.sources[0].failure?.contains("stopped by SIGTERM while importing") == true)
        #expect(report.failure?.hasPrefix("stopped by SIGTERM") == true)
        #expect(report.resolution == nil)
        #expect(try keys(folder) == ["1": "x", "2": "y"])
        let runs = try RunHistory.recent(stateFolder: folder.file("state"), limit: 5)
        #expect(runs.first?.status == .interrupted)
        // The next run completes.
        let next = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        #expect(next.status == .succeeded)
        #expect(try keys(folder).count == 6000)
    }

    @Test func anUnchangedExportIsNotImportedAndNothingIsResolvedAgain() throws {
        let folder = TemporaryDirectory()
        folder.write("inbox/ss_1.csv", header + "1,A,x\n2,B,y\n")
        let configured = try pipeline(folder)
        let first = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        #expect(first.resolution?.residents == 2)
        let second = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        #expect(second.status == .succeeded)
        #expect(second.sources[0].status == .unchanged)
        #expect(second.sources[0].counts == RecordCounts())
        #expect(second.resolution == nil)
        #expect(second.resolutionUnchangedSince == first.runID)
        #expect(try keys(folder) == ["1": "x", "2": "y"])
        // A changed export is imported and resolved.
        folder.write("inbox/ss_1.csv", header + "1,A,x\n2,B,y\n3,C,z\n")
        let third = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        #expect(third.sources[0].status == .succeeded)
        #expect(third.resolution?.residents == 3)
        #expect(third.resolutionUnchangedSince == nil)
    }

    @Test func anExportSentAgainWithTheSameRecordsIsImportedButNotResolvedAgain() throws {
        let folder = TemporaryDirectory()
        folder.write("inbox/ss_1.csv", header + "1,A,x\n2,B,y\n")
        let configured = try pipeline(folder)
        let first = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        #expect(first.resolution?.residents == 2)
        // The same records in another order, with a column the pipeline does not read: a new
        // file, imported, whose records hold the values they held.
        folder.write("inbox/ss_1.csv", "id,addr,name,sent\n2,y,B,2026-11-29\n1,x,A,2026-11-29\n")
        let second = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        #expect(second.sources[0].status == .succeeded)
        #expect(second.sources[0].counts.staged == 2)
        #expect(second.resolution == nil)
        #expect(second.resolutionUnchangedSince == first.runID)
        // One record's value changes: resolved again, and the unchanged resident is not written.
        folder.write("inbox/ss_1.csv", header + "1,A,x\n2,B,z\n")
        let third = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        #expect(third.resolutionUnchangedSince == nil)
        #expect(third.resolution?.unchanged == 1)
        // And a record gone is a change too.
        folder.write("inbox/ss_1.csv", header + "1,A,x\n")
        let fourth = try Runner(pipeline: configured, stateFolder: folder.file("state")).run()
        #expect(fourth.resolutionUnchangedSince == nil)
        #expect(fourth.resolution?.retired == 1)
    }
}

@Suite struct RunnerRetirementTests {
    @Test func aSourceTakenOutOfThePipelineIsNoLongerCurrent() throws {
        let folder = TemporaryDirectory()
        let inbox = folder.file("inbox")
        try FileManager.default.copyItem(atPath: Repository.path("fixtures/inbox"), toPath: inbox)
        var pipeline = try Pipeline.load(path: Repository.path("pipelines/demo.json")).0
        _ = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: folder.file("state")).run()
        pipeline.sources.removeLast()
        let report = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: folder.file("state")).run()
        #expect(report.retiredSources == ["civil_affairs"])
        let store = try StateStore(folder: folder.file("state"))
        #expect(try store.stagedCount(pipeline: "demo", source: "civil_affairs") == 0)
        #expect(try store.stagedCount(pipeline: "demo", source: "social_security") == 20)
    }

    @Test func rejectsKeepReadableRawText() throws {
        let folder = TemporaryDirectory()
        let report = try Runner(
            pipeline: Pipeline.load(path: Repository.path("pipelines/demo.json")).0,
            inbox: Repository.path("fixtures/inbox"), stateFolder: folder.file("state")
        ).run()
        #expect(report.status == .succeeded)
        let database = try Database(path: folder.file("state") + "/" + StateStore.databaseName)
        // The undecodable GB18030 byte alone becomes U+FFFD; the rest of the row stays readable.
        let undecodable = try database.scalar("SELECT raw FROM rejects WHERE category = 'undecodable bytes'")?.string
        #expect(undecodable?.hasPrefix("SB00100018,林\u{FFFD}红,女,") == true)
        // A duplicate keeps its payload values beside the canonical fields.
        let duplicate = try database.scalar(
            "SELECT raw FROM rejects WHERE category = 'duplicate record key' AND raw LIKE '%SB00100003%'")?.string
        #expect(duplicate?.contains("\"参保状态\":") == true)
    }

    @Test func aRunLeftRunningByAKilledProcessIsMarkedInterrupted() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("state")
        let killed = try StateStore(folder: state).beginRun(pipeline: "demo", pipelineSHA256: "x")
        let (pipeline, _) = try Pipeline.load(path: Repository.path("pipelines/demo.json"))
        let report = try Runner(pipeline: pipeline, stateFolder: state).run()
        #expect(report.interruptedRuns == [killed])
        let runs = try RunHistory.recent(stateFolder: state, limit: 10)
        #expect(runs.first { $0.id == killed }?.status == .interrupted)
        #expect(runs.first { $0.id == report.runID }?.status == .succeeded)
    }
}
