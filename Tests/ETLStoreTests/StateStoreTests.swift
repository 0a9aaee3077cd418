import ETLCore
import Foundation
import TestSupport
import Testing

@testable import ETLStore

@Suite struct StateStoreTests {
    private struct Boom: Error {}

    private func record(_ key: String, line: Int, file: String = "a.csv", name: String? = "N") -> SourceRecord {
        SourceRecord(
            key: key, fields: CanonicalValues(name.map { [.name: $0] } ?? [:]), sexCode: .female,
            birthDateISO: "1990-01-02",
            payload: [PayloadValue(name: "p", value: "v\(line)")],
            location: RecordLocation(file: file, line: line, recordIndex: line - 1))
    }

    private func info(_ path: String) -> SourceFileInfo {
        SourceFileInfo(
            path: path, size: 10, sha256: String(repeating: "0", count: 64), encoding: "UTF-8", payloadFields: ["p"])
    }

    @Test func createsAPrivateFolderAndDatabase() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("nested/state")
        _ = try StateStore(folder: state)
        let folderMode = try FileManager.default.attributesOfItem(atPath: state)[.posixPermissions] as? Int
        let fileMode =
            try FileManager.default.attributesOfItem(atPath: state + "/" + StateStore.databaseName)[.posixPermissions]
            as? Int
        #expect(folderMode == 0o700)
        #expect(fileMode == 0o600)
    }

    @Test func stagesRecordsAndRoundTripsTheirValues() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        let source = try store.sourceID(pipeline: "p", name: "s")
        let counts = try store.importFile(run: run, source: source, file: info("a.csv")) { stager in
            try stager.stage(record("K1", line: 2))
            try stager.stage(record("K2", line: 3, name: nil))
        }
        #expect(counts == RecordCounts(read: 2, staged: 2, rejected: 0))
        try store.commitSource(run: run, source: source)
        let cursor = try store.stagedRecords(pipeline: "p")
        var records: [SourceRecord] = []
        while let staged = try cursor.next() { records.append(staged.record) }
        #expect(records.map(\.key) == ["K1", "K2"])
        #expect(records[0] == record("K1", line: 2))
        #expect(records[1].fields.name == nil)
        #expect(records[1].payload == [PayloadValue(name: "p", value: "v3")])
    }

    @Test func aRepeatedKeyIsRejectedWithBothLocations() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        let source = try store.sourceID(pipeline: "p", name: "s")
        _ = try store.importFile(run: run, source: source, file: info("a.csv")) { stager in
            try stager.stage(record("K1", line: 2))
        }
        // The same export's second file repeats the key: the later record is the reject.
        var batch = RowBatch(file: "b.csv")
        for line in 2...40 { batch.append(record(line == 30 ? "K1" : "B\(line)", line: line, file: "b.csv")) }
        let counts = try store.importFile(run: run, source: source, file: info("b.csv")) { try $0.stage(batch) }
        #expect(counts == RecordCounts(read: 39, staged: 38, rejected: 1))
        let rejects = try store.rejects(run: run)
        #expect(rejects.count == 1)
        #expect(rejects[0].file == "b.csv")
        #expect(rejects[0].line == 30)
        #expect(rejects[0].category == "duplicate record key")
        #expect(rejects[0].reason.contains("a.csv:2"))
    }

    @Test func aFileWhoseImportThrowsLeavesNothing() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        let source = try store.sourceID(pipeline: "p", name: "s")
        #expect(throws: Boom.self) {
            _ = try store.importFile(run: run, source: source, file: info("a.csv")) { stager in
                try stager.stage(record("K1", line: 2))
                throw Boom()
            }
        }
        try store.commitSource(run: run, source: source)
        #expect(try store.stagedCount(pipeline: "p", source: "s") == 0)
        #expect(try store.rejects(run: run).isEmpty)
    }

    @Test func aFileThatFailsAfterCommittedStepsLeavesNothing() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path, rowsPerCommit: 16)
        let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        let source = try store.sourceID(pipeline: "p", name: "s")
        #expect(throws: Boom.self) {
            _ = try store.importFile(run: run, source: source, file: info("a.csv")) { stager in
                for chunk in 0..<4 {
                    var batch = RowBatch(file: "a.csv")
                    for line in 2...41 { batch.append(record("K\(chunk)-\(line)", line: line)) }
                    try stager.stage(batch)
                    try stager.reject(
                        Reject(
                            location: RecordLocation(file: "a.csv", line: 50 + chunk, recordIndex: 50 + chunk),
                            reason: .missingRecordKey(field: "k"), raw: "x"))
                }
                throw Boom()
            }
        }
        let database = store.database
        #expect(try database.scalar("SELECT count(*) FROM staged_records")?.int64 == 0)
        #expect(try database.scalar("SELECT count(*) FROM rejects")?.int64 == 0)
        #expect(try database.scalar("SELECT count(*) FROM source_files")?.int64 == 0)
    }

    @Test func rowsOfAnEndedRunThatNeverBecameCurrentAreDropped() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path, rowsPerCommit: 1)
        let source = try store.sourceID(pipeline: "p", name: "s")
        func stage(_ keys: [String], in run: Int64) throws {
            _ = try store.importFile(run: run, source: source, file: info("a\(run).csv")) { stager in
                for (offset, key) in keys.enumerated() { try stager.stage(record(key, line: offset + 2)) }
            }
        }
        let current = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        try stage(["K1"], in: current)
        try store.commitSource(run: current, source: source)
        try store.finishRun(current, status: .succeeded)
        // A run killed after staging: its rows are not current, and its status says it ended.
        let killed = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        try stage(["K2", "K3"], in: killed)
        try store.finishRun(killed, status: .failed)
        // A run still going on keeps its rows.
        let going = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        try stage(["K4"], in: going)
        #expect(try store.removeAbandonedStaging(pipeline: "p") == 2)
        #expect(try store.removeAbandonedStaging(pipeline: "p") == 0)
        let left = try store.database.scalar("SELECT group_concat(record_key) FROM staged_records")?.string
        #expect(left == "K1,K4")
    }

    @Test func committingASourceReplacesItsEarlierRecords() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let source = try store.sourceID(pipeline: "p", name: "s")
        for (index, keys) in [["K1", "K2", "K3"], ["K2", "K4"]].enumerated() {
            let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
            _ = try store.importFile(run: run, source: source, file: info("a\(index).csv")) { stager in
                for (offset, key) in keys.enumerated() { try stager.stage(record(key, line: offset + 2)) }
            }
            try store.commitSource(run: run, source: source)
        }
        let cursor = try store.stagedRecords(pipeline: "p")
        var keys: [String] = []
        while let staged = try cursor.next() { keys.append(staged.record.key) }
        #expect(keys == ["K2", "K4"])
    }

    @Test func theKeysANewExportNoLongerHasAreRecordedAsDeletedWithItsRun() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let source = try store.sourceID(pipeline: "p", name: "s")
        // Keys that sort differently by characters and by bytes, gone ones first, last, and
        // between kept ones; new ones among them.
        let exports = [["k2", "a", "键", "k10", "c", "b", "z9"], ["b", "新", "k10", "c", "aa"]]
        var runs: [Int64] = []
        var counts: [Int] = []
        for (index, keys) in exports.enumerated() {
            let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
            _ = try store.importFile(run: run, source: source, file: info("a\(index).csv")) { stager in
                for (offset, key) in keys.enumerated() { try stager.stage(record(key, line: offset + 2)) }
            }
            counts.append(try store.commitSource(run: run, source: source).deleted)
            runs.append(run)
        }
        #expect(counts == [0, 4])
        let select = try store.database.prepare("SELECT run_id, record_key FROM deleted_records ORDER BY record_key")
        var deleted: [String] = []
        while try select.step() { deleted.append("\(select.int(at: 0) ?? 0) \(select.text(at: 1) ?? "")") }
        #expect(deleted == ["a", "k2", "z9", "键"].map { "\(runs[1]) \($0)" })
    }

    /// Runs two exports of source `s`: `first` staged, then `second` staged with `rejects`.
    private func twoExports(
        _ store: StateStore, first: [String], second: [String], rejects: [Reject]
    ) throws -> (run: Int64, commit: SourceCommit) {
        let source = try store.sourceID(pipeline: "p", name: "s")
        var last: (Int64, SourceCommit) = (0, SourceCommit())
        for (index, keys) in [first, second].enumerated() {
            let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
            _ = try store.importFile(run: run, source: source, file: info("a\(index).csv")) { stager in
                for (offset, key) in keys.enumerated() { try stager.stage(record(key, line: offset + 2)) }
                if index == 1 { for reject in rejects { try stager.reject(reject) } }
            }
            last = (run, try store.commitSource(run: run, source: source))
        }
        return last
    }

    private func currentKeys(_ store: StateStore) throws -> [String] {
        let select = try store.database.prepare(
            """
            SELECT r.record_key FROM staged_records r JOIN sources s ON s.id = r.source_id
            WHERE r.run_id = s.current_run_id ORDER BY r.record_key
            """)
        var keys: [String] = []
        while try select.step() { keys.append(select.text(at: 0) ?? "") }
        return keys
    }

    private func rejected(key: String?) -> Reject {
        Reject(
            location: RecordLocation(file: "a1.csv", line: 9, recordIndex: 9, byteOffset: nil),
            reason: .wrongFieldCount(found: 3, expected: 4), raw: "", recordKey: key)
    }

    @Test func aRecordWhoseNewRowWasRejectedKeepsItsEarlierRowInsteadOfBeingDeleted() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        // K2's row was rejected, K3 is gone, and the reject of a key never seen keeps nothing.
        let (_, commit) = try twoExports(
            store, first: ["K1", "K2", "K3"], second: ["K1", "K4"],
            rejects: [rejected(key: "K2"), rejected(key: "K9")])
        #expect(commit.deleted == 1)
        #expect(commit.keptForRejects == 1)
        #expect(commit.deletionsHeldBack == 0)
        #expect(try currentKeys(store) == ["K1", "K2", "K4"])
        #expect(try store.database.scalar("SELECT record_key FROM deleted_records")?.string == "K3")
    }

    @Test func aRejectedRowWithoutAReadableKeyHoldsBackTheSourcesDeletions() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let (_, commit) = try twoExports(
            store, first: ["K1", "K2", "K3"], second: ["K1"], rejects: [rejected(key: nil)])
        #expect(commit.deleted == 0)
        #expect(commit.deletionsHeldBack == 2)
        #expect(commit.rejectsWithoutKey == 1)
        #expect(try currentKeys(store) == ["K1", "K2", "K3"])
        #expect(try store.database.scalar("SELECT count(*) FROM deleted_records")?.int64 == 0)
    }

    @Test func discardingASourceKeepsItsEarlierRecords() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let source = try store.sourceID(pipeline: "p", name: "s")
        let first = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        _ = try store.importFile(run: first, source: source, file: info("a.csv")) {
            try $0.stage(record("K1", line: 2))
        }
        try store.commitSource(run: first, source: source)
        let second = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        _ = try store.importFile(run: second, source: source, file: info("b.csv")) {
            try $0.stage(record("K9", line: 2))
        }
        try store.discardSource(run: second, source: source)
        #expect(try store.stagedCount(pipeline: "p", source: "s") == 1)
    }

    @Test func runsAreListedNewestFirstWithTheirSources() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let source = try store.sourceID(pipeline: "p", name: "s")
        let first = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        try store.finishRun(first, status: .failed, message: "no files")
        let second = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        try store.recordSource(
            run: second, source: source, status: .succeeded, files: 1,
            counts: RecordCounts(read: 3, staged: 2, rejected: 1),
            message: nil)
        try store.finishRun(second, status: .succeeded)
        let runs = try store.runs(limit: 10)
        #expect(runs.map(\.id) == [second, first])
        #expect(runs[0].status == .succeeded)
        #expect(runs[0].sources.first?.counts == RecordCounts(read: 3, staged: 2, rejected: 1))
        #expect(runs[1].message == "no files")
        #expect(runs[0].finishedAt != nil)
    }

    /// Earlier versions gave a killed run the time the next run began as its end, and said
    /// that nothing of it became current: neither is known, so neither is shown.
    @Test func aKilledRunMarkedByAnEarlierVersionShowsNoEndTimeAndNoFalseClaim() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        try store.finishRun(
            run, status: .interrupted, message: "the process ended before the run did; nothing of it became current")
        let shown = try #require(try store.runs(limit: 1).first)
        #expect(shown.finishedAt == nil)
        #expect(
            shown.message
                == "the process ended before the run did (killed, or the machine stopped), at a time not recorded; what it had committed (imports, resolution, datasets) stays, as it was when it ended"
        )
        // A run stopped by a signal ended at a known time, with its own message.
        let stopped = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        try store.finishRun(stopped, status: .interrupted, message: "stopped by SIGTERM")
        let shownStopped = try #require(try store.runs(limit: 1).first)
        #expect(shownStopped.finishedAt != nil && shownStopped.message == "stopped by SIGTERM")
    }
}
