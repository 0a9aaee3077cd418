import ETLCore
import Foundation
import TestSupport

@testable import ETLPublish

/// Synthetic residents for publishing tests (no real person's data), from a seeded generator.
enum PublishFixtures {
    static let sources = ["social_security", "health_insurance", "civil_affairs"]
    static let districts = ["510104", "510105", "510106", "510107", "510108", "110101", "110102"]
    static let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"]
    static let givenNames = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰"]
    static let assistance = ["低保", "特困", "临时救助"]

    /// A deterministic generator (SplitMix64).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// `count` residents with names, valid-looking ID numbers, phones, birth dates from 1930
    /// to 2010, a district, departments and a civil-affairs assistance type for some.
    static func table(count: Int, seed: UInt64 = 7) -> ResidentTable {
        var table = ResidentTable(
            sources: sources,
            payload: [
                .init(field: "assistanceType", source: "civil_affairs"), .init(field: "note", source: nil),
            ])
        var random = Generator(state: seed)
        for index in 0..<count {
            let year = 1930 + random.next(80)
            let month = 1 + random.next(12)
            let day = 1 + random.next(28)
            let district = districts[random.next(districts.count)]
            let sex = 1 + random.next(2)
            let serial = String(format: "%03d", index % 1000)
            let birth = String(format: "%04d%02d%02d", year, month, day)
            let id = district + birth + serial + String(index % 10)
            let phone = "139" + String(format: "%08d", index)
            let name = surnames[random.next(surnames.count)] + givenNames[random.next(givenNames.count)]
            let mask = UInt64(1 + random.next(7))
            var payloads: [(Int, [String: String])] = []
            if mask & 4 != 0, random.next(2) == 0 {
                payloads.append((2, ["assistanceType": assistance[random.next(assistance.count)]]))
            }
            table.append(
                number: Int64(index + 1),
                values: [
                    name, id, String(sex), String(format: "%04d-%02d-%02d", year, month, day), phone,
                    "四川省成都市某街道\(index)号",
                ],
                region: district, departments: mask, payloads: payloads)
        }
        return table
    }

    static let snapshotDate: Int32 = 20_261_127

    static func context(folder: String, stateFolder: String = "/nonexistent") -> PublishContext {
        PublishContext(
            pipeline: "test", pipelineSHA256: String(repeating: "0", count: 64), runID: 1, sources: sources,
            exports: [], snapshotDate: snapshotDate, folder: folder, stateFolder: stateFolder)
    }

    /// A key in a private file, and its source.
    static func key(in folder: TemporaryDirectory) -> KeySource {
        let path = folder.file("master.key")
        if !FileManager.default.fileExists(atPath: path) { _ = try! MasterKey.generate(file: path) }
        return .file(path)
    }

    /// Microdata: age band, sex, district, departments, k = 5.
    static func microdata(name: String = "microdata", k: Int = 5, limit: Double = 0.05) -> Dataset {
        Dataset(
            name: name, recipient: "statistics", purpose: "statistics",
            columns: [
                Column(name: "age_band", source: .age, transform: .generalise(level: 1, coarsest: 4)),
                Column(name: "sex", source: .golden(.sex), transform: .generalise(level: 0, coarsest: 1)),
                Column(name: "district", source: .region, transform: .generalise(level: 0, coarsest: 3)),
                Column(name: "departments", source: .departments, transform: .generalise(level: 0, coarsest: 2)),
            ],
            formats: [.csv, .jsonl, .sqlite],
            privacy: PrivacyModel(
                k: k, suppressionLimit: limit, quasiIdentifiers: ["age_band", "sex", "district", "departments"]))
    }

    /// A pseudonymised list of residents aged 60 and over, keyed by pseudonym.
    static func elderly(recipient: String = "civil_affairs") -> Dataset {
        Dataset(
            name: "elderly", recipient: recipient, purpose: "care",
            include: [Condition(source: .age, test: .between(min: 60, max: nil))],
            columns: [
                Column(name: "person", source: .residentID, transform: .pseudonym),
                Column(name: "age_band", source: .age, transform: .generalise(level: 1, coarsest: 4)),
                Column(name: "district", source: .region, transform: .generalise(level: 0, coarsest: 3)),
                Column(
                    name: "assistance", source: .payload(field: "assistanceType", source: "civil_affairs"),
                    transform: .keep),
            ],
            key: "person", formats: [.csv, .jsonl],
            privacy: PrivacyModel(quasiIdentifiers: ["age_band", "district"]))
    }

    /// Reads a published CSV file into rows of fields (the files etl writes quote nothing
    /// these tests put in them).
    static func csvRows(_ path: String) throws -> [[String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.components(separatedBy: "\r\n").dropLast().map { $0.components(separatedBy: ",") }
    }
}
