import ETLCore
import ETLPipeline
import ETLPublish
import Foundation
import TestSupport
import Testing

@testable import ETLStore

/// `etl gc`: snapshot retention and pruning of old run history, keeping what is current.
@Suite struct HousekeepingTests {
    @Test func gcKeepsWhatIsCurrentAndPrunesTheRest() throws {
        let folder = TemporaryDirectory()
        var pipeline = try Pipeline.load(path: Repository.path("pipelines/demo.json")).0
        pipeline.keepRuns = 1
        pipeline.publish?.retain = 1
        // Three nights with the same exports; the ages move on, so the elderly list changes.
        for date: Int32 in [20_401_127, 20_451_127, 20_501_127] {
            var runner = Runner(pipeline: pipeline, stateFolder: folder.file("state"))
            runner.snapshotDate = date
            #expect(try runner.run().status == .succeeded)
        }
        let published = folder.file("state/published")
        let elderly = SnapshotCatalog(folder: published, dataset: "elderly_care")
        #expect(elderly.versions().count == 1)
        #expect(elderly.current == "v000003")

        let dry = try Housekeeping.run(
            pipeline: pipeline, stateFolder: folder.file("state"), publishFolder: nil, dryRun: true)
        #expect(dry.history.totalRuns == 3 && dry.history.oldestKeptRun == 3)
        // Run 1 imported the current exports and created the residents: it stays, with its
        // rejects. Run 2 changed nothing that anything refers to.
        #expect(dry.history.runs == 1)
        #expect(dry.history.rejects == 0)
        let done = try Housekeeping.run(
            pipeline: pipeline, stateFolder: folder.file("state"), publishFolder: nil, dryRun: false)
        #expect(done.history.runs == 1)
        let store = try StateStore(folder: folder.file("state"))
        #expect(try store.runs(limit: 10).map(\.id) == [3, 1])
        #expect(try store.rejects(run: 1, limitPerSource: 100).count == 13)
        #expect(try store.links(pipeline: "demo").count == 47)
        #expect(try elderly.verifyCurrent().version == "v000003")
        // A run after housekeeping goes on as before.
        var runner = Runner(pipeline: pipeline, stateFolder: folder.file("state"))
        runner.snapshotDate = 20_501_127
        let after = try runner.run()
        #expect(after.status == .succeeded && after.runID == 4)
    }

    /// Each pruning step frees rows for a later one (a run goes once its match model has), so
    /// a dry run that only counted what each step would touch on its own said less than the
    /// real one then removed.
    @Test func aDryRunReportsExactlyWhatHousekeepingThenRemoves() throws {
        let folder = TemporaryDirectory()
        var pipeline = try Pipeline.load(path: Repository.path("pipelines/demo.json")).0
        pipeline.keepRuns = 2
        // Two exports that differ in one phone number, sent on alternate nights.
        let exports = try TwoExports(in: folder)
        let (first, second) = (exports.first, exports.second)
        for night in 0..<6 {
            let report = try Runner(
                pipeline: pipeline, inbox: night.isMultiple(of: 2) ? first : second, stateFolder: folder.file("state")
            ).run()
            #expect(report.status == .succeeded)
        }
        let dry = try Housekeeping.run(
            pipeline: pipeline, stateFolder: folder.file("state"), publishFolder: nil, dryRun: true)
        let again = try Housekeeping.run(
            pipeline: pipeline, stateFolder: folder.file("state"), publishFolder: nil, dryRun: true)
        let done = try Housekeeping.run(
            pipeline: pipeline, stateFolder: folder.file("state"), publishFolder: nil, dryRun: false)
        #expect(done.history.runs > 0)
        #expect(dry.history == done.history)
        #expect(again.history == done.history)
        let after = try Housekeeping.run(
            pipeline: pipeline, stateFolder: folder.file("state"), publishFolder: nil, dryRun: true)
        #expect(after.history.runs == 0 && after.history.sourceFiles == 0 && after.history.matchModels == 0)
    }
}
