import ETLCore
import ETLPipeline
import ETLStore
import Foundation
import TestSupport
import Testing

/// A run whose process was killed: what `etl status` says became current of it, and that its
/// end time is not known. The crash is stood by copying the state folder as the run goes, as
/// `kill -9` would leave it at that moment.
@Suite struct RunHistoryTests {
    private let preamble =
        "the process ended before the run did (killed, or the machine stopped), at a time not recorded; "
    private let mayHavePublished =
        "a dataset version it may have published before it ended stays current ('etl snapshots' lists them)"

    @Test func aKilledRunIsShownWithWhatOfItBecameCurrentAndNoEndTime() throws {
        let folder = TemporaryDirectory()
        let pipeline = try Pipeline.load(path: Repository.path("pipelines/demo.json")).0
        // Two exports that differ in one phone number, sent on alternate nights.
        let exports = try TwoExports(in: folder)
        let (first, second) = (exports.first, exports.second)
        let state = folder.file("state")
        #expect(try Runner(pipeline: pipeline, inbox: first, stateFolder: state).run().status == .succeeded)

        // Run 2, killed once social security's new records were committed, and again once
        // its resolution was saved.
        var runner = Runner(pipeline: pipeline, inbox: second, stateFolder: state)
        let imported = folder.file("killed-after-import")
        let resolved = folder.file("killed-after-resolving")
        runner.events = { event in
            switch event {
            case .imported(let source) where source.name == "social_security":
                try? FileManager.default.copyItem(atPath: state, toPath: imported)
            case .resolved:
                try? FileManager.default.copyItem(atPath: state, toPath: resolved)
            default:
                break
            }
        }
        #expect(try runner.run().status == .succeeded)

        let cases = [
            (
                imported,
                "the records it imported from social_security became current; its resolution of residents was not saved (the residents stayed as the last run left them)"
            ),
            (
                resolved,
                "the records it imported from social_security became current; its resolution of residents was saved and became current"
            ),
        ]
        for (image, committed) in cases {
            let expected = preamble + committed + "; " + mayHavePublished
            // Before the next run marks it, it is shown so already (nobody holds the lock).
            let before = try #require(try RunHistory.recent(stateFolder: image, limit: 1).first)
            #expect(before.id == 2 && before.status == .interrupted)
            #expect(before.finishedAt == nil)
            #expect(before.message == expected)
            // The next run marks it, with no end time: not its own start.
            let next = try Runner(pipeline: pipeline, inbox: second, stateFolder: image).run()
            #expect(next.interruptedRuns == [2])
            let after = try RunHistory.recent(stateFolder: image, limit: 2)
            #expect(after.map(\.id) == [3, 2])
            #expect(after[1].status == .interrupted && after[1].finishedAt == nil)
            #expect(after[1].message == expected)
        }
    }
}
