import Foundation
import Synth
import TestSupport
import Testing

@testable import ETLPipeline
@testable import ETLStore

/// A night on which part of the registers changed gives the residents a full rebuild from
/// scratch gives on the same exports, and leaves untouched residents their IDs.
@Suite struct NightlyRunTests {
    /// Changes about 1% of an export's records in each way, by line: every 300th record is
    /// dropped (deleted), every 300th from the second has its address changed (updated), and
    /// every 300th from the third comes again under a new key (added). `header` says whether
    /// the first line holds the column names.
    private func change(_ path: String, key: (String, String), header: Bool) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let first = header ? 1 : 0
        var changed: [String] = Array(lines[..<first])
        var added: [String] = []
        for index in first..<lines.count {
            switch (index - first) % 300 {
            case 0: continue
            case 1: changed.append(lines[index].replacingOccurrences(of: "路", with: "街"))
            case 2:
                changed.append(lines[index])
                added.append(lines[index].replacingOccurrences(of: key.0, with: key.1))
            default: changed.append(lines[index])
            }
        }
        lines = changed + added
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Residents as sets of records (`source:key`), with their IDs.
    private func residents(_ pipeline: Pipeline, _ state: String) throws -> [String: Set<String>] {
        let links = try #require(try ResidentLinks.current(pipeline: pipeline.name, stateFolder: state))
        var residents: [String: Set<String>] = [:]
        for link in links { residents[link.residentID, default: []].insert(link.source + ":" + link.key) }
        return residents
    }

    /// The synthetic registers of `people` people in `folder`'s inbox, run once into its state
    /// folder `state`: the state a night starts from.
    private func firstNight(
        _ folder: TemporaryDirectory, people: Int, seed: UInt64
    ) throws -> (inbox: String, pipeline: Pipeline, state: String, report: RunReport) {
        let inbox = folder.file("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        _ = try SynthWriter(profile: .standard, seed: seed).write(people: people, to: inbox)
        let (pipeline, _) = try Pipeline.load(path: Repository.path("bench/pipelines/synth.json"))
        let state = folder.file("state")
        let report = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: state).run()
        #expect(report.status == .succeeded)
        return (inbox, pipeline, state, report)
    }

    /// Changes about 1% of two of the three exports (see `change`; the third is as it was) and
    /// runs the pipeline on `state` again.
    private func night(inbox: String, pipeline: Pipeline, state: String) throws -> RunReport {
        try change(inbox + "/social_security_synth.csv", key: ("SB", "SX"), header: true)
        try change(inbox + "/civil_affairs_synth.jsonl", key: ("\"MZ-2026-", "\"MZ-2027-"), header: false)
        let night = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: state).run()
        #expect(night.status == .succeeded)
        return night
    }

    @Test func aNightWithOnePercentChangedGivesTheResidentsOfAFullRebuild() throws {
        let folder = TemporaryDirectory()
        let (inbox, pipeline, nightly, _) = try firstNight(folder, people: 2000, seed: 5)
        let before = try residents(pipeline, nightly)

        let night = try night(inbox: inbox, pipeline: pipeline, state: nightly)
        #expect(night.sources.map(\.deleted).reduce(0, +) > 0)
        let rebuilt = folder.file("rebuilt")
        let rebuild = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: rebuilt).run()
        #expect(rebuild.status == .succeeded)

        let after = try residents(pipeline, nightly)
        let fromScratch = try residents(pipeline, rebuilt)
        #expect(Set(after.values) == Set(fromScratch.values))
        // Every current record has its resident: the added ones, and none deleted.
        #expect(after.values.map(\.count).reduce(0, +) == rebuild.totals.staged)
        // A resident whose records are the same both nights keeps its ID.
        let earlier = Dictionary(before.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        let kept = after.filter { earlier[$0.value] != nil }
        #expect(kept.count > after.count * 9 / 10)
        #expect(kept.allSatisfy { earlier[$0.value] == $0.key })
    }

    /// Per resident number, the run that last wrote it; per record (`source:key`), the run
    /// since which it has held its values.
    private func writes(_ state: String) throws -> (residents: [Int64: Int64], since: [String: Int64]) {
        let store = try StateStore(folder: state)
        var residents: [Int64: Int64] = [:]
        let select = try store.database.prepare("SELECT id, updated_run FROM residents WHERE status = 'active'")
        while try select.step() { residents[Int64(select.int(at: 0) ?? 0)] = Int64(select.int(at: 1) ?? 0) }
        var since: [String: Int64] = [:]
        let links = try store.database.prepare(
            "SELECT s.name, l.record_key, l.since_run FROM links l JOIN sources s ON s.id = l.source_id")
        while try links.step() {
            since[(links.text(at: 0) ?? "") + ":" + (links.text(at: 1) ?? "")] = Int64(links.int(at: 2) ?? 0)
        }
        return (residents, since)
    }

    @Test func residentsNoneOfWhoseRecordsChangedAreNotWrittenAgain() throws {
        let folder = TemporaryDirectory()
        let (inbox, pipeline, state, first) = try firstNight(folder, people: 1000, seed: 7)
        let before = try residents(pipeline, state)

        // Both exports are imported again: most of their records as they were.
        let night = try night(inbox: inbox, pipeline: pipeline, state: state)
        let after = try residents(pipeline, state)
        let (written, since) = try writes(state)

        // A record re-exported with the same values keeps the run it has held them since; a
        // changed or added one holds them since tonight.
        let changed = Set(since.filter { $0.value == night.runID }.keys)
        #expect(!changed.isEmpty)
        #expect(since.count - changed.count > since.count * 9 / 10)
        #expect(since.values.allSatisfy { $0 == first.runID || $0 == night.runID })
        // A resident with the same records as last night, none of them changed, is not written
        // again: its unified record stays the one chosen then.
        let untouched = after.filter { id, records in before[id] == records && records.isDisjoint(with: changed) }
        #expect(untouched.count > after.count * 9 / 10)
        for id in untouched.keys {
            #expect(written[try #require(StateStore.residentNumber(id))] == first.runID, "resident \(id)")
        }
        #expect(night.resolution?.unchanged == untouched.count)
    }
}
