import ETLCore
import Foundation
import TestSupport
import Testing

@testable import ETLStore

/// Saving resolutions: residents carried from run to run, merges, splits, retirements, links.
@Suite struct ResidentStoreTests {
    /// A store with three staged records of one source: k0, k1, k2.
    private func store(_ folder: TemporaryDirectory) throws -> (StateStore, sourceID: Int64) {
        let store = try StateStore(folder: folder.path)
        let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        let source = try stage(store, run: run, source: "s", keys: ["k0", "k1", "k2"])
        try store.finishRun(run, status: .succeeded, message: nil)
        return (store, source)
    }

    /// Stages records with `keys` (in that order) in one file of `source`, in run `run`.
    private func stage(_ store: StateStore, run: Int64, source name: String, keys: [String]) throws -> Int64 {
        let source = try store.sourceID(pipeline: "p", name: name)
        let info = SourceFileInfo(
            path: "a.csv", size: 1, sha256: String(repeating: "0", count: 64), encoding: "UTF-8", payloadFields: [])
        _ = try store.importFile(run: run, source: source, file: info) { stager in
            for (index, key) in keys.enumerated() {
                try stager.stage(
                    SourceRecord(
                        key: key, fields: CanonicalValues([.name: "N"]),
                        location: RecordLocation(file: "a.csv", line: index + 2, recordIndex: index)))
            }
        }
        try store.commitSource(run: run, source: source)
        return source
    }

    private func resident(_ kept: Int64?, _ records: [Int], splitFrom: [Int64] = []) -> ResidentWrite {
        ResidentWrite(
            kept: kept, values: ["N", nil, nil, nil, nil, nil], region: nil, provenance: "{}", records: records,
            splitFrom: splitFrom
        )
    }

    private func save(
        _ store: StateStore, _ source: Int64, keys: [String], _ residents: [ResidentWrite],
        merged: [(absorbed: Int64, into: Int64)] = [], retired: [Int64] = []
    ) throws -> [Int64] {
        let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        defer { try? store.finishRun(run, status: .succeeded, message: nil) }
        return try store.saveResolution(
            run: run, pipeline: "p", sourceIDs: keys.map { _ in source }, keys: keys, residents: residents,
            merged: merged, retired: retired, model: "{}", statistics: "{}")
    }

    private func status(_ store: StateStore, _ resident: Int64) throws -> String? {
        let select = try store.database.prepare("SELECT status FROM residents WHERE id = ?")
        try select.bind([.integer(resident)])
        return try select.step() ? select.text(at: 0) : nil
    }

    /// The rows `sql` selects, each as the text of its `columns` columns joined by spaces.
    private func rows(_ store: StateStore, _ sql: String, _ columns: Int32) throws -> [String] {
        let select = try store.database.prepare(sql)
        var rows: [String] = []
        while try select.step() {
            rows.append((0..<columns).map { select.text(at: $0) ?? "" }.joined(separator: " "))
        }
        return rows
    }

    @Test func residentsAreCreatedKeptMergedSplitAndRetired() throws {
        let folder = TemporaryDirectory()
        let (store, source) = try store(folder)
        let keys = ["k0", "k1", "k2"]

        // Night 1: {k0, k1} and {k2}.
        let first = try save(store, source, keys: keys, [resident(nil, [0, 1]), resident(nil, [2])])
        #expect(first == [1, 2])
        #expect(try store.links(pipeline: "p").map(\.residentID) == ["R0000000001", "R0000000001", "R0000000002"])
        #expect(try store.activeResidents(pipeline: "p").sorted() == [1, 2])

        // Night 2: all three are one resident; the older ID survives.
        _ = try save(store, source, keys: keys, [resident(1, [0, 1, 2])], merged: [(2, 1)])
        #expect(try store.links(pipeline: "p").map(\.residentID) == Array(repeating: "R0000000001", count: 3))
        #expect(try status(store, 2) == "merged")
        #expect(try store.database.scalar("SELECT merged_into FROM residents WHERE id = 2")?.int64 == 1)

        // Night 3: k1 splits off into a new resident; the larger part keeps the ID.
        let third = try save(store, source, keys: keys, [resident(1, [0, 2]), resident(nil, [1], splitFrom: [1])])
        #expect(third == [1, 3])
        #expect(try store.links(pipeline: "p").map(\.residentID) == ["R0000000001", "R0000000003", "R0000000001"])

        // Night 4: no records of resident 3 are left; it is retired, and its ID is not reused.
        _ = try save(store, source, keys: keys, [resident(1, [0, 1, 2])], retired: [3])
        #expect(try status(store, 3) == "retired")
        #expect(try store.activeResidents(pipeline: "p") == [1])
        let fifth = try save(store, source, keys: keys, [resident(1, [0, 2]), resident(nil, [1], splitFrom: [1])])
        #expect(fifth == [1, 4])

        #expect(
            try rows(store, "SELECT kind, resident, coalesce(other, 0), records FROM resident_events ORDER BY id", 4)
                == [
                    "created 1 0 2", "created 2 0 1", "merged 2 1 0", "created 3 0 1", "split 3 1 1", "retired 3 0 0",
                    "created 4 0 1", "split 4 1 1",
                ])
    }

    @Test func resolvableRecordsComeInSourceOrderThenKeyOrder() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        // Staged out of order, in three sources; "gone" is no longer in the pipeline.
        for name in ["b", "gone", "a"] {
            _ = try stage(store, run: run, source: name, keys: ["k2", "K9", "k10", "k1", "键"])
        }
        try store.finishRun(run, status: .succeeded, message: nil)
        let cursor = try store.resolvableRecords(pipeline: "p", inSourceOrder: ["a", "b"])
        var read: [String] = []
        while let record = try cursor.next() { read.append(record.source + ":" + record.key) }
        let keys = ["K9", "k1", "k10", "k2", "键"]  // by UTF-8 bytes
        #expect(read == keys.map { "a:" + $0 } + keys.map { "b:" + $0 } + keys.map { "gone:" + $0 })
    }

    /// A first run that stages `sources` (name and keys) and saves each record as its own
    /// resident, numbered in order, with content hash 1. Returns the run and the source IDs.
    private func firstNight(
        _ store: StateStore, _ sources: [(name: String, keys: [String])]
    ) throws -> (run: Int64, sources: [Int64]) {
        let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        var ids: [Int64] = []
        for source in sources { ids.append(try stage(store, run: run, source: source.name, keys: source.keys)) }
        let sourceIDs = zip(ids, sources).flatMap { id, source in source.keys.map { _ in id } }
        let count = sourceIDs.count
        let numbers = try store.saveResolution(
            run: run, pipeline: "p",
            records: RecordLinks(
                sourceIDs: sourceIDs, keys: sources.flatMap(\.keys), contents: Array(repeating: 1, count: count),
                since: Array(repeating: run, count: count), stored: Array(repeating: 0, count: count)),
            residents: ResidentWrites((0..<count).map { resident(nil, [$0]) }), merged: [], retired: [], model: "{}",
            statistics: "{}")
        try store.finishRun(run, status: .succeeded, message: nil)
        #expect(numbers == (0..<count).map { Int64($0 + 1) })
        return (run, ids)
    }

    @Test func aNightWithFewChangesWritesOnlyWhatChangedAndDropsTheLinksOfGoneRecords() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let keys = (0..<10).map { "k\($0)" }
        let (first, sources) = try firstNight(store, [("s", keys)])
        let source = sources[0]

        // Night 2: k9 is gone and k3's values changed; the other records are as they were.
        let night = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        let current = Array(keys.dropLast())
        _ = try stage(store, run: night, source: "s", keys: current)
        let changed = 3
        // An unchanged resident's unified record would read "X" if it were asked for.
        let writes = ResidentWrites(
            kept: current.indices.map { Int64($0 + 1) }, records: { [$0] }, splitFrom: { _ in [] },
            unchanged: { $0 != changed }
        ) { index in
            ([index == changed ? "M" : "X", nil, nil, nil, nil, nil], nil, "{}")
        }
        _ = try store.saveResolution(
            run: night, pipeline: "p",
            records: RecordLinks(
                sourceIDs: current.map { _ in source }, keys: current,
                contents: current.indices.map { $0 == changed ? 2 : 1 },
                since: current.indices.map { $0 == changed ? night : first },
                stored: current.indices.map { $0 == changed ? 0 : Int64($0 + 1) }),
            residents: writes, merged: [], retired: [10], model: "{}", statistics: "{}")
        try store.finishRun(night, status: .succeeded, message: nil)

        #expect(
            try rows(store, "SELECT record_key, resident, content, since_run FROM links ORDER BY record_key", 4)
                == current.indices.map { index in
                    "k\(index) \(index + 1) \(index == changed ? 2 : 1) \(index == changed ? night : first)"
                })
        #expect(
            try rows(store, "SELECT id, updated_run, name FROM residents ORDER BY id", 3)
                == (1...10).map { number in
                    number == changed + 1 ? "\(number) \(night) M" : "\(number) \(first) N"
                })
        #expect(try status(store, 10) == "retired")
    }

    @Test func aSourceTakenOutOfThePipelineLosesItsLinksWhenNothingElseChanged() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let keys = (0..<10).map { "k\($0)" }
        let (first, sources) = try firstNight(store, [("s", keys), ("t", ["t1"])])
        let source = sources[0]

        // Night 2: source t is gone from the pipeline; every record of s is as it was.
        let night = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        #expect(try store.retireSources(pipeline: "p", keeping: ["s"]) == ["t"])
        _ = try store.saveResolution(
            run: night, pipeline: "p",
            records: RecordLinks(
                sourceIDs: keys.map { _ in source }, keys: keys, contents: Array(repeating: 1, count: 10),
                since: Array(repeating: first, count: 10), stored: (1...10).map(Int64.init)),
            residents: ResidentWrites(
                kept: (1...10).map(Int64.init), records: { [$0] }, splitFrom: { _ in [] }, unchanged: { _ in true }
            ) { _ in (["X", nil, nil, nil, nil, nil], nil, "{}") },
            merged: [], retired: [11], model: "{}", statistics: "{}")
        #expect(
            try rows(store, "SELECT record_key, resident FROM links ORDER BY record_key", 2)
                == keys.indices.map {
                    "k\($0) \($0 + 1)"
                })
    }

    @Test func theStagedContentHashIsTheHashOfTheValuesReadBack() throws {
        let folder = TemporaryDirectory()
        let store = try StateStore(folder: folder.path)
        let run = try store.beginRun(pipeline: "p", pipelineSHA256: "x")
        let source = try store.sourceID(pipeline: "p", name: "s")
        let info = SourceFileInfo(
            path: "a.csv", size: 1, sha256: String(repeating: "0", count: 64), encoding: "UTF-8", payloadFields: [])
        // Values present, empty and missing, each of which must hash apart.
        let records = [
            SourceRecord(
                key: "k1", fields: CanonicalValues([.name: "张伟", .phone: "", .address: "成都市武侯区"]),
                sexCode: .male, birthDateISO: "1990-01-02",
                location: RecordLocation(file: "a.csv", line: 2, recordIndex: 0)),
            SourceRecord(
                key: "k2", fields: CanonicalValues([.name: "张伟", .address: "成都市武侯区"]), sexCode: .male,
                birthDateISO: "1990-01-02", location: RecordLocation(file: "a.csv", line: 3, recordIndex: 1)),
        ]
        _ = try store.importFile(run: run, source: source, file: info) { stager in
            for record in records { try stager.stage(record) }
        }
        try store.commitSource(run: run, source: source)
        let cursor = try store.resolvableRecords(pipeline: "p")
        var contents: [Int64] = []
        while let record = try cursor.next() {
            let content = try #require(record.content)
            #expect(
                content
                    == RecordContent.of(
                        record.fields, sexCode: record.sexCode?.rawValue, birthDateISO: record.birthDateISO))
            contents.append(content)
        }
        #expect(contents.count == 2 && contents[0] != contents[1])
    }

    @Test func aFailedSaveLeavesThePreviousResolution() throws {
        let folder = TemporaryDirectory()
        let (store, source) = try store(folder)
        _ = try save(store, source, keys: ["k0", "k1", "k2"], [resident(nil, [0, 1, 2])])
        // A merge into a resident that does not exist breaks the foreign key: nothing is kept.
        #expect(throws: (any Error).self) {
            _ = try save(
                store, source, keys: ["k0", "k1", "k2"], [resident(nil, [0]), resident(1, [1, 2])], merged: [(1, 99)])
        }
        #expect(try store.links(pipeline: "p").map(\.residentID) == Array(repeating: "R0000000001", count: 3))
        #expect(try store.activeResidents(pipeline: "p") == [1])
    }
}
