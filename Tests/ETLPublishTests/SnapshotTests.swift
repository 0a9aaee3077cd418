import ETLCore
import Foundation
import TestSupport
import Testing

@testable import ETLPublish

@Suite struct SnapshotTests {
    private func publisher(
        _ datasets: [Dataset], folder: String, key: KeySource?, retain: Int = 10
    ) -> Publisher {
        Publisher(
            settings: PublishSettings(folder: folder, key: key, retain: retain, datasets: datasets),
            context: PublishFixtures.context(folder: folder))
    }

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func aPublishedVersionIsCurrentAndVerifies() throws {
        let temporary = TemporaryDirectory()
        let folder = temporary.file("published")
        let report = publisher(
            [PublishFixtures.microdata(), PublishFixtures.elderly()], folder: folder,
            key: PublishFixtures.key(in: temporary)
        ).publish(table: PublishFixtures.table(count: 3000))
        #expect(report.datasets.map(\.status) == [.published, .published])
        for dataset in ["microdata", "elderly"] {
            let catalog = SnapshotCatalog(folder: folder, dataset: dataset)
            #expect(try String(contentsOfFile: folder + "/\(dataset)/CURRENT", encoding: .utf8) == "v000001\n")
            let package = try catalog.verifyCurrent()
            #expect(package.version == "v000001")
            #expect(package.etl.previousVersion == nil)
            let report = try String(contentsOfFile: folder + "/\(dataset)/v000001/deid-report.json", encoding: .utf8)
            #expect(report.contains("de-identified, not anonymised"))
        }
        let package = try SnapshotCatalog(folder: folder, dataset: "elderly").verifyCurrent()
        #expect(package.etl.keyId?.count == 16)
        #expect(package.resources.map(\.path) == ["data.csv", "data.jsonl"])
        let rows = try PublishFixtures.csvRows(folder + "/elderly/v000001/data.csv")
        #expect(rows.first == ["person", "age_band", "district", "assistance"])
        #expect(rows.count - 1 == package.resources[0].rows)
        #expect(package.etl.changes.added == package.resources[0].rows)
    }

    @Test func theSameInputsAndKeyGiveByteIdenticalFiles() throws {
        let temporary = TemporaryDirectory()
        let key = PublishFixtures.key(in: temporary)
        let datasets = [PublishFixtures.microdata(), PublishFixtures.elderly()]
        for target in ["a", "b"] {
            _ = publisher(datasets, folder: temporary.file(target), key: key).publish(
                table: PublishFixtures.table(count: 2000))
        }
        for (dataset, files) in [
            ("microdata", ["data.csv", "data.jsonl", "data.sqlite", "changes.csv"]),
            ("elderly", ["data.csv", "data.jsonl", "changes.csv", "row-index.tsv"]),
        ] {
            for file in files {
                let a = try bytes(temporary.file("a/\(dataset)/v000001/\(file)"))
                let b = try bytes(temporary.file("b/\(dataset)/v000001/\(file)"))
                #expect(a == b, "\(dataset)/\(file)")
            }
        }
    }

    @Test func recipientsGetDisjointPseudonymsAndEachKeepsItsOwn() throws {
        let temporary = TemporaryDirectory()
        let key = PublishFixtures.key(in: temporary)
        var other = PublishFixtures.elderly(recipient: "health_bureau")
        other.name = "elderly_health"
        let table = PublishFixtures.table(count: 2000)
        _ = publisher([PublishFixtures.elderly(), other], folder: temporary.file("x"), key: key).publish(table: table)
        _ = publisher([PublishFixtures.elderly()], folder: temporary.file("y"), key: key).publish(table: table)
        func tokens(_ path: String) throws -> Set<String> {
            Set(try PublishFixtures.csvRows(temporary.file(path)).dropFirst().map { $0[0] })
        }
        let civil = try tokens("x/elderly/v000001/data.csv")
        let health = try tokens("x/elderly_health/v000001/data.csv")
        #expect(civil.count > 100)
        #expect(civil.isDisjoint(with: health))
        #expect(civil == (try tokens("y/elderly/v000001/data.csv")))
        #expect(civil.allSatisfy { $0.hasPrefix("p1.") && $0.count == 35 })
    }

    @Test func aCrashBeforeTheFlipLeavesThePreviousVersionCurrentAndReadable() throws {
        let temporary = TemporaryDirectory()
        let folder = temporary.file("published")
        let key = PublishFixtures.key(in: temporary)
        _ = publisher([PublishFixtures.elderly()], folder: folder, key: key).publish(
            table: PublishFixtures.table(count: 1000))
        var crashing = publisher([PublishFixtures.elderly()], folder: folder, key: key)
        crashing.beforeFlip = { _ throws(PublishError) in throw .cannotWrite(path: "CURRENT", reason: "power cut") }
        let report = crashing.publish(table: PublishFixtures.table(count: 1200))
        #expect(report.datasets[0].status == .failed)
        #expect(report.datasets[0].version == "v000001")
        let catalog = SnapshotCatalog(folder: folder, dataset: "elderly")
        #expect(catalog.current == "v000001")
        #expect(try catalog.verifyCurrent().version == "v000001")
        // The next run clears what the crash left and publishes the next version.
        let next = publisher([PublishFixtures.elderly()], folder: folder, key: key).publish(
            table: PublishFixtures.table(count: 1200))
        #expect(next.datasets[0].version == "v000002")
        #expect(try catalog.verifyCurrent().etl.previousVersion == "v000001")
        #expect(!FileManager.default.fileExists(atPath: folder + "/elderly/v000003"))
    }

    @Test func aDatasetThatIncludesNobodyIsPublishedEmpty() throws {
        let temporary = TemporaryDirectory()
        let folder = temporary.file("published")
        var elderly = PublishFixtures.elderly()
        elderly.include = [Condition(source: .age, test: .between(min: 200, max: nil))]
        var microdata = PublishFixtures.microdata()
        microdata.include = elderly.include
        let report = publisher([elderly, microdata], folder: folder, key: PublishFixtures.key(in: temporary)).publish(
            table: PublishFixtures.table(count: 100))
        #expect(report.datasets.map(\.status) == [.published, .published])
        #expect(report.datasets.map(\.rows) == [0, 0])
        let rows = try PublishFixtures.csvRows(folder + "/elderly/v000001/data.csv")
        #expect(rows == [["person", "age_band", "district", "assistance"]])
        #expect(try SnapshotCatalog(folder: folder, dataset: "microdata").verifyCurrent().resources[0].rows == 0)
    }

    @Test func anUnchangedDatasetWritesNoNewVersion() throws {
        let temporary = TemporaryDirectory()
        let folder = temporary.file("published")
        let key = PublishFixtures.key(in: temporary)
        let table = PublishFixtures.table(count: 800)
        _ = publisher([PublishFixtures.elderly()], folder: folder, key: key).publish(table: table)
        let again = publisher([PublishFixtures.elderly()], folder: folder, key: key).publish(table: table)
        #expect(again.datasets[0].status == .unchanged)
        #expect(SnapshotCatalog(folder: folder, dataset: "elderly").versions().map(\.name) == ["v000001"])
    }

    @Test func theChangeFileListsKeysAddedChangedAndRemoved() throws {
        let temporary = TemporaryDirectory()
        let folder = temporary.file("published")
        let key = PublishFixtures.key(in: temporary)
        var dataset = PublishFixtures.elderly()
        dataset.privacy = PrivacyModel(k: 1 + 1, suppressionLimit: 0.5, quasiIdentifiers: ["age_band"])
        dataset.columns[1].transform = .generalise(level: 4, coarsest: 4)
        let before = PublishFixtures.table(count: 600)
        _ = publisher([dataset], folder: folder, key: key).publish(table: before)
        // Drop the first 50 residents, add 30 new ones, and move 20 to another district.
        var after = ResidentTable(sources: before.sources, payload: before.payloadReferences)
        let more = PublishFixtures.table(count: 630)
        for row in 50..<630 {
            let moved = row >= 100 && row < 120
            after.append(
                number: more.numbers[row],
                values: [more.names[row], more.idNumbers[row], "1", more.text(birth: row), more.phones[row], nil],
                region: moved ? "110101" : String(more.region[row]), departments: more.departments[row],
                payloads: [])
        }
        let report = publisher([dataset], folder: folder, key: key).publish(table: after)
        let changes = try PublishFixtures.csvRows(folder + "/elderly/v000002/changes.csv").dropFirst()
        let counted = Dictionary(grouping: changes, by: { $0[0] }).mapValues(\.count)
        #expect(report.datasets[0].added == counted["added"] ?? 0)
        #expect(report.datasets[0].changed == counted["changed"] ?? 0)
        #expect(report.datasets[0].removed == counted["removed"] ?? 0)
        #expect(report.datasets[0].removed > 0 && report.datasets[0].added > 0 && report.datasets[0].changed > 0)
        // Keys are listed in order, each once.
        let keys = changes.map { $0[1] }
        #expect(keys == keys.sorted() && Set(keys).count == keys.count)
    }

    @Test func retentionKeepsTheNewestVersionsAndNeverTheCurrentOne() throws {
        let temporary = TemporaryDirectory()
        let folder = temporary.file("published")
        let key = PublishFixtures.key(in: temporary)
        for count in [500, 520, 540, 560] {
            _ = publisher([PublishFixtures.elderly()], folder: folder, key: key, retain: 2).publish(
                table: PublishFixtures.table(count: count))
        }
        let catalog = SnapshotCatalog(folder: folder, dataset: "elderly")
        #expect(catalog.versions().map(\.name) == ["v000003", "v000004"])
        #expect(catalog.current == "v000004")
    }

    @Test func anIdentifiedDatasetsFilesAreReadableByTheirOwnerOnly() throws {
        let temporary = TemporaryDirectory()
        let folder = temporary.file("published")
        let dataset = Dataset(
            name: "index", recipient: "counter", purpose: "counter", identified: true,
            columns: [
                Column(name: "resident_id", source: .residentID, transform: .keep),
                Column(name: "name", source: .golden(.name), transform: .mask),
                Column(name: "id_number", source: .golden(.idNumber), transform: .mask),
            ],
            key: "resident_id", formats: [.csv, .sqlite])
        let report = publisher([dataset], folder: folder, key: nil).publish(table: PublishFixtures.table(count: 50))
        #expect(report.datasets[0].status == .published)
        let version = folder + "/index/v000001"
        for file in try FileManager.default.contentsOfDirectory(atPath: version) {
            let mode = try FileManager.default.attributesOfItem(atPath: version + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: version)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let package = try SnapshotCatalog(folder: folder, dataset: "index").verifyCurrent()
        #expect(package.etl.identified)
        let report2 = try String(contentsOfFile: version + "/deid-report.json", encoding: .utf8)
        #expect(report2.contains("IDENTIFIED"))
    }
}

extension ResidentTable {
    /// The birth date of `row` as ISO text (tests).
    func text(birth row: Int) -> String? {
        let date = birth[row]
        guard date > 0 else { return nil }
        return DatePattern.iso(year: Int(date / 10000), month: Int(date / 100 % 100), day: Int(date % 100))
    }
}
