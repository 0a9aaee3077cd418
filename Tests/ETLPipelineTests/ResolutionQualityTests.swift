import ETLStore
import Foundation
import Synth
import TestSupport
import Testing

@testable import ETLPipeline

/// Resolution quality on labelled synthetic registers from bench/Synth, through the whole
/// pipeline: the three exports are imported, resolved and scored against the truth.
@Suite struct ResolutionQualityTests {
    private func score(profile: SynthProfile, people: Int) throws -> QualityReport {
        let folder = TemporaryDirectory()
        let inbox = folder.file("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        _ = try SynthWriter(profile: profile, seed: 11).write(people: people, to: inbox)
        let (pipeline, _) = try Pipeline.load(path: Repository.path("bench/pipelines/synth.json"))
        let report = try Runner(pipeline: pipeline, inbox: inbox, stateFolder: folder.file("state")).run()
        #expect(report.status == .succeeded)
        let links = try #require(try ResidentLinks.current(pipeline: pipeline.name, stateFolder: folder.file("state")))
        let csv = "source,record_key,resident_id\n" + links.map { "\($0.source),\($0.key),\($0.residentID)\n" }.joined()
        return try QualityScorer.score(truthCSV: QualityScorer.read(inbox + "/truth.csv"), linksCSV: csv)
    }

    @Test func theDefaultProfileIsResolvedAlmostPerfectly() throws {
        let report = try score(profile: .standard, people: 3000)
        #expect(report.unlinked == 0)
        #expect(report.precision >= 0.999, "\(report.text)")
        #expect(report.recall >= 0.995, "\(report.text)")
    }

    @Test func theHardProfileKeepsPrecisionHigh() throws {
        let report = try score(profile: .hard, people: 3000)
        #expect(report.precision >= 0.995, "\(report.text)")
        #expect(report.f1 >= 0.985, "\(report.text)")
    }
}
