import ETLCore
import ETLStore
import Foundation
import TestSupport
import Testing

@testable import ETLPipeline
@testable import ETLPublish

/// `etl run` on the demo publishes its three datasets: complete, verifiable, and with no raw
/// identifier in a dataset that is not identified.
@Suite struct RunnerPublishTests {
    private func demo() throws -> Pipeline {
        try Pipeline.load(path: Repository.path("pipelines/demo.json")).0
    }

    private func runner(_ folder: TemporaryDirectory) throws -> Runner {
        var runner = Runner(pipeline: try demo(), stateFolder: folder.file("state"))
        runner.snapshotDate = 20_261_127
        return runner
    }

    @Test func theDemoPublishesThreeDatasetsThatVerify() throws {
        let folder = TemporaryDirectory()
        let report = try runner(folder).run()
        #expect(report.status == .succeeded)
        let publication = try #require(report.publication)
        #expect(publication.datasets.map(\.status) == [.published, .published, .published])
        #expect(publication.datasets.map(\.name) == ["elderly_care", "population_statistics", "service_index"])
        let published = folder.file("state/published")
        for dataset in publication.datasets {
            let package = try SnapshotCatalog(folder: published, dataset: dataset.name).verifyCurrent()
            #expect(package.etl.identified == dataset.identified)
            #expect(package.etl.sources.map(\.name) == ["social_security", "health_insurance", "civil_affairs"])
            #expect(package.etl.sources.map(\.records) == [20, 16, 11])
            #expect(package.etl.runId == report.runID)
        }
        #expect(publication.datasets[1].kReached.map { $0 >= 5 } == true)
    }

    @Test func eachStepIsToldAsItHappensNotWhenTheRunEnds() throws {
        let folder = TemporaryDirectory()
        var runner = try runner(folder)
        var told: [String] = []
        runner.events = { event in
            // While the run goes on, the state store still shows it running.
            let running =
                (try? RunHistory.recent(stateFolder: folder.file("state"), limit: 1).first?.status) == .running
            switch event {
            case .started: told.append("started")
            case .imported(let source): told.append("imported \(source.name)")
            case .resolved: told.append("resolved")
            case .published(let publication): told.append("published \(publication.datasets.count)")
            case .resolutionUnchanged, .resolutionFailed, .publishFailed: told.append("unexpected")
            }
            if !running { told.append("after the end") }
        }
        _ = try runner.run()
        #expect(
            told == [
                "started", "imported social_security", "imported health_insurance", "imported civil_affairs",
                "resolved",
                "published 3",
            ])
    }

    @Test func payloadColumnsCarryTheDepartmentsValues() throws {
        let folder = TemporaryDirectory()
        var later = try runner(folder)
        later.snapshotDate = 20_401_127  // eight of the demo's residents are 60 or over by then
        _ = try later.run()
        let text = try String(
            contentsOfFile: folder.file("state/published/elderly_care/v000001/data.csv"), encoding: .utf8)
        let rows = text.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }.map {
            $0.components(separatedBy: ",")
        }
        #expect(rows.count == 8)
        // Insurance scheme (health insurance's payload) and assistance (civil affairs').
        #expect(rows.filter { !$0[3].isEmpty }.count >= 4)
        #expect(rows.filter { !$0[4].isEmpty }.count >= 4)
        #expect(rows.contains { $0[3] == "职工基本医疗保险" })
    }

    @Test func noRawIdentifierAppearsInADatasetThatIsNotIdentified() throws {
        let folder = TemporaryDirectory()
        _ = try runner(folder).run()
        // Every unified ID number, phone and name, read back from the state store.
        let store = try StateStore(folder: folder.file("state"))
        let cursor = try store.publishableResidents(pipeline: "demo")
        var identifiers: [String] = []
        while try cursor.next() != nil {
            let resident = cursor.resident
            identifiers += [resident.values[0], resident.values[1], resident.values[4]].compactMap { $0 }
        }
        #expect(identifiers.count > 40)
        let published = folder.file("state/published")
        for dataset in ["elderly_care", "population_statistics"] {
            let version = published + "/" + dataset + "/v000001"
            for file in try FileManager.default.contentsOfDirectory(atPath: version) where file != "data.sqlite" {
                let text = try String(contentsOfFile: version + "/" + file, encoding: .utf8)
                for identifier in identifiers {
                    #expect(!text.contains(identifier), "\(dataset)/\(file) holds an identifier")
                }
            }
        }
    }

    @Test func aSecondRunWithTheSameInputsPublishesNothingNew() throws {
        let folder = TemporaryDirectory()
        _ = try runner(folder).run()
        let again = try runner(folder).run()
        #expect(again.publication?.datasets.map(\.status) == [.unchanged, .unchanged, .unchanged])
        #expect(again.status == .succeeded)
    }

    @Test func aRunThatCrashesBeforeTheFlipLeavesThePreviousSnapshotsCurrent() throws {
        let folder = TemporaryDirectory()
        _ = try runner(folder).run()
        var crashing = try runner(folder)
        crashing.snapshotDate = 20_401_127  // everyone is older: the elderly list changes
        crashing.beforeFlip = { _ throws(PublishError) in throw .cannotWrite(path: "CURRENT", reason: "killed") }
        let report = try crashing.run()
        #expect(report.status == .partial)
        let elderly = try #require(report.publication?.datasets.first)
        #expect(elderly.status == .failed && elderly.version == "v000001")
        let catalog = SnapshotCatalog(folder: folder.file("state/published"), dataset: "elderly_care")
        #expect(try catalog.verifyCurrent().version == "v000001")
    }

    @Test func aStopWhilePublishingNamesWhatWasPublishedWhatFailedAndWhatKeepsItsSnapshot() {
        func dataset(
            _ name: String, _ status: DatasetReport.Status, failure: String? = nil, stoppedBy: String? = nil
        )
            -> DatasetReport
        {
            DatasetReport(
                name: name, recipient: "r", identified: false, status: status, failure: failure, stoppedBy: stoppedBy)
        }
        let message = Runner.stoppedWhilePublishing(
            by: "SIGINT",
            datasets: [
                dataset("a", .published), dataset("b", .failed, failure: "no k"),
                dataset("c", .failed, failure: "stopped", stoppedBy: "SIGINT"),
            ])
        #expect(
            message
                == "stopped by SIGINT while publishing: 'a' is current; 'b' failed before it (no k); 'c' keeps its previous snapshot"
        )
    }

    @Test func aStopWhilePublishingInterruptsTheRunAndKeepsThePreviousSnapshots() throws {
        let folder = TemporaryDirectory()
        _ = try runner(folder).run()
        final class Resolved: @unchecked Sendable { var done = false }
        let resolved = Resolved()
        var stopped = try runner(folder)
        stopped.snapshotDate = 20_401_127  // everyone is older: the elderly list changes
        // The exports are the same, so resolution is skipped; the stop comes once it has been,
        // that is when publishing begins.
        stopped.events = { event in
            if case .resolutionUnchanged = event { resolved.done = true }
        }
        stopped.stopRequested = { resolved.done ? "SIGTERM" : nil }
        let report = try stopped.run()
        #expect(report.status == .interrupted)
        let datasets = try #require(report.publication?.datasets)
        #expect(datasets.map(\.stoppedBy) == ["SIGTERM", "SIGTERM", "SIGTERM"])
        let runs = try RunHistory.recent(stateFolder: folder.file("state"), limit: 1)
        #expect(runs.first?.status == .interrupted)
        #expect(
            runs.first?.message
                == "stopped by SIGTERM while publishing: 'elderly_care', 'population_statistics', 'service_index' keep their previous snapshot"
        )
        let catalog = SnapshotCatalog(folder: folder.file("state/published"), dataset: "elderly_care")
        #expect(try catalog.verifyCurrent().version == "v000001")
    }
}
