import ETLCore
import Foundation
import TestSupport
import Testing

@testable import ETLPublish

@Suite struct PrivacyTests {
    private func build(_ dataset: Dataset, table: ResidentTable, key: KeySource? = nil) throws -> DatasetBuilder.Built {
        var pseudonymisers: [Int: Pseudonymiser] = [:]
        if let key {
            let (master, _) = try Publisher.loadKey(key, stateFolder: "/nonexistent")
            for (index, column) in dataset.columns.enumerated() where column.transform == .pseudonym {
                pseudonymisers[index] = try Pseudonymiser(
                    master: master, recipient: dataset.recipient, field: column.source.description, keyVersion: 1)
            }
        }
        return try DatasetBuilder(
            dataset: dataset, table: table, snapshotDate: PublishFixtures.snapshotDate, pseudonymisers: pseudonymisers
        ).build()
    }

    /// Rows per combination of the quasi-identifier columns' published values.
    private func classSizes(_ rows: RowSet, quasi: [String]) -> [[String?]: Int] {
        let columns = quasi.map { name in rows.columns.firstIndex { $0.name == name }! }
        var sizes: [[String?]: Int] = [:]
        for row in 0..<rows.count {
            sizes[columns.map { rows.string(row: row, column: $0) }, default: 0] += 1
        }
        return sizes
    }

    @Test(arguments: [(300, 5, 0.05), (2000, 5, 0.05), (2000, 10, 0.02), (5000, 3, 0.0)])
    func everyPublishedClassHasAtLeastKResidentsAndSuppressionStaysInTheLimit(
        count: Int, k: Int, limit: Double
    ) throws {
        let table = PublishFixtures.table(count: count)
        let dataset = PublishFixtures.microdata(k: k, limit: limit)
        let built = try build(dataset, table: table)
        let sizes = classSizes(built.rows, quasi: dataset.privacy!.quasiIdentifiers)
        #expect(!sizes.isEmpty)
        #expect(sizes.values.allSatisfy { $0 >= k })
        #expect(built.suppressed <= Int(Double(count) * limit))
        #expect(built.rows.count + built.suppressed == count)
        #expect(built.kReached == sizes.values.min())
    }

    @Test func theDeclaredLevelsAreKeptWhenTheyAlreadyReachK() throws {
        // Two districts, two sexes, one band: 4 classes of 50 residents each.
        var table = ResidentTable(sources: PublishFixtures.sources, payload: [])
        for index in 0..<200 {
            table.append(
                number: Int64(index + 1),
                values: ["N", nil, index % 2 == 0 ? "1" : "2", "1980-01-01", nil, nil],
                region: index % 4 < 2 ? "510104" : "510105", departments: 1, payloads: [])
        }
        let built = try build(PublishFixtures.microdata(), table: table)
        #expect(built.levels == [1, 0, 0, 0])
        #expect(built.nodesEvaluated == 1)
        #expect(built.suppressed == 0)
        #expect(built.kReached == 50)
    }

    @Test func theSearchTakesTheLeastCoarseCombinationThatReachesK() throws {
        let table = PublishFixtures.table(count: 3000)
        let dataset = PublishFixtures.microdata()
        let built = try build(dataset, table: table)
        let chosen = built.levels.compactMap { $0 }
        let declared = [1, 0, 0, 0]
        let height = zip(chosen, declared).map { $0 - $1 }.reduce(0, +)
        // No combination of a lower height satisfies k within the limit.
        let search = DatasetBuilder(
            dataset: dataset, table: table, snapshotDate: PublishFixtures.snapshotDate, pseudonymisers: [:]
        ).privacySearch(dataset.privacy!, included: Array(0..<table.count))
        var lower: [[Int]] = [[]]
        for quasi in search.quasis { lower = lower.flatMap { node in quasi.levels.indices.map { node + [$0] } } }
        for node in lower where node.reduce(0, +) < height {
            #expect(search.evaluate(offsets: node).suppressedCount > search.allowedSuppressions)
        }
        #expect(height > 0)
    }

    @Test func lDiversityHoldsInEveryClass() throws {
        let table = PublishFixtures.table(count: 4000)
        var dataset = PublishFixtures.elderly()
        dataset.include = [
            Condition(source: .payload(field: "assistanceType", source: "civil_affairs"), test: .present(true))
        ]
        dataset.privacy = PrivacyModel(k: 3, quasiIdentifiers: ["age_band", "district"], sensitive: ("assistance", 2))
        let temporary = TemporaryDirectory()
        let built = try build(dataset, table: table, key: PublishFixtures.key(in: temporary))
        let rows = built.rows
        let assistance = rows.columns.firstIndex { $0.name == "assistance" }!
        let quasi = ["age_band", "district"].map { name in rows.columns.firstIndex { $0.name == name }! }
        var values: [[String?]: Set<String?>] = [:]
        for row in 0..<rows.count {
            values[quasi.map { rows.string(row: row, column: $0) }, default: []].insert(
                rows.string(row: row, column: assistance))
        }
        #expect(rows.count > 0)
        #expect(values.values.allSatisfy { $0.count >= 2 })
        #expect(built.lReached.map { $0 >= 2 } == true)
    }

    @Test func aDatasetThatCannotReachKFailsWithAClearError() throws {
        let table = PublishFixtures.table(count: 40)
        var dataset = PublishFixtures.microdata(k: 50, limit: 0.05)
        dataset.columns[0].transform = .generalise(level: 1, coarsest: 1)
        #expect(throws: PublishError.self) { _ = try build(dataset, table: table) }
        do {
            _ = try build(dataset, table: table)
        } catch {
            #expect("\(error)".contains("k = 50"))
            #expect("\(error)".contains("previous snapshot stays current"))
        }
    }

    @Test func theLeakGuardStopsADatasetThatCarriesAnIdentifier() throws {
        var table = ResidentTable(
            sources: PublishFixtures.sources, payload: [.init(field: "note", source: nil)])
        for index in 0..<20 {
            let id = "51010719800101" + String(format: "%04d", index)
            // The tenth resident's note holds its own ID number inside other text.
            let note = index == 9 ? "certificate " + id + " seen" : "ok"
            table.append(
                number: Int64(index + 1), values: ["王伟", id, "1", "1980-01-01", "1390000\(1000 + index)", nil],
                region: "510107", departments: 1, payloads: [(0, ["note": note])])
        }
        let dataset = Dataset(
            name: "notes", recipient: "r", purpose: "p",
            columns: [
                Column(name: "person", source: .residentID, transform: .pseudonym),
                Column(name: "sex", source: .golden(.sex), transform: .generalise(level: 0, coarsest: 0)),
                Column(name: "note", source: .payload(field: "note", source: nil), transform: .keep),
            ],
            privacy: PrivacyModel(k: 2, quasiIdentifiers: ["sex"]))
        let temporary = TemporaryDirectory()
        let key = PublishFixtures.key(in: temporary)
        #expect(throws: PublishError.leak(dataset: "notes", column: "note", kind: "ID number", resident: "R0000000010"))
        {
            _ = try build(dataset, table: table, key: key)
        }
        // A note that holds a phone number, or is a name, is caught too.
        for (note, kind) in [("call 13900001003 please", "phone number"), ("王伟", "name")] {
            var other = ResidentTable(sources: PublishFixtures.sources, payload: [.init(field: "note", source: nil)])
            for index in 0..<4 {
                other.append(
                    number: Int64(index + 1),
                    values: ["王伟", nil, "1", nil, "1390000\(1000 + index)", nil], region: nil, departments: 1,
                    payloads: [(0, ["note": note])])
            }
            #expect(throws: PublishError.self) { _ = try build(dataset, table: other, key: key) }
            do {
                _ = try build(dataset, table: other, key: key)
            } catch {
                #expect("\(error)".contains(kind))
                #expect(!"\(error)".contains(note))
            }
        }
    }

    @Test func pseudonymsNeverTripTheLeakGuard() throws {
        // Tokens are hex; some hold long digit runs. The guard does not read pseudonym columns.
        let table = PublishFixtures.table(count: 5000)
        let temporary = TemporaryDirectory()
        let built = try build(PublishFixtures.elderly(), table: table, key: PublishFixtures.key(in: temporary))
        #expect(built.rows.count > 0)
    }
}
