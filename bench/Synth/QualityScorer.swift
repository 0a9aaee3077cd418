#if canImport(Glibc)
    import Glibc
#endif

/// Pairwise precision, recall and F1 of resolved residents against the generator's truth,
/// with false positives by kind and false negatives by the dirt on the records.
public struct QualityReport: Sendable {
    public var records = 0
    public var persons = 0
    public var residents = 0
    /// Records in the truth that the links do not list.
    public var unlinked = 0
    public var truePairs = 0
    public var predictedPairs = 0
    public var truePositives = 0
    /// Same resident, different persons: by how the persons relate.
    public var falsePositivesByKind: [String: Int] = [:]
    /// Same person, different residents: by the dirt on either record ("clean" when none).
    public var falseNegativesByDirt: [String: Int] = [:]

    public var precision: Double { predictedPairs == 0 ? 1 : Double(truePositives) / Double(predictedPairs) }
    public var recall: Double { truePairs == 0 ? 1 : Double(truePositives) / Double(truePairs) }
    public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }

    public var text: String {
        func share(_ value: Double) -> String {
            let scaled = Int((value * 100_000).rounded())
            return "\(scaled / 100_000).\(Pools.digits(scaled % 100_000, 5))"
        }
        var lines = [
            "records \(records), persons \(persons), residents \(residents), unlinked \(unlinked)",
            "true pairs \(truePairs), predicted pairs \(predictedPairs), true positives \(truePositives)",
            "precision \(share(precision))  recall \(share(recall))  F1 \(share(f1))",
        ]
        lines.append(
            "false positives by kind: "
                + (falsePositivesByKind.isEmpty
                    ? "none"
                    : falsePositivesByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                        separator: ", ")))
        lines.append(
            "false negatives by dirt: "
                + (falseNegativesByDirt.isEmpty
                    ? "none"
                    : falseNegativesByDirt.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(
                        separator: ", ")))
        return lines.joined(separator: "\n")
    }
}

/// Scores `etl links` output against the generator's `truth.csv`.
public enum QualityScorer {
    /// What the generator knows about one record.
    public struct Truth: Sendable {
        public var person: Int
        public var household: Int
        public var twin: Int?
        public var namesake: Int?
        public var dirt: [Substring]

        /// How two records of different persons relate, for the false positives' breakdown.
        public func relation(to other: Truth) -> String {
            if twin != nil && twin == other.twin { return "twins" }
            if household == other.household { return "same household" }
            if namesake != nil && namesake == other.namesake { return "same name and birth date" }
            return "other"
        }
    }

    /// The truth per record, keyed `source,record_key`.
    public static func truth(csv truthCSV: String) throws -> [String: Truth] {
        var truth: [String: Truth] = [:]
        for (number, line) in truthCSV.split(separator: "\n").enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 7, let person = Int(fields[2]), let household = Int(fields[3]) else {
                throw SynthError.badLine(file: "truth.csv", line: number + 1)
            }
            truth[fields[0] + "," + fields[1]] = Truth(
                person: person, household: household, twin: Int(fields[4]), namesake: Int(fields[5]),
                dirt: fields[6].split(separator: ";"))
        }
        return truth
    }

    /// Scores the links CSV text against the truth CSV text.
    public static func score(truthCSV: String, linksCSV: String) throws -> QualityReport {
        let truth = try truth(csv: truthCSV)
        var residentOf: [String: String] = [:]
        for (number, line) in linksCSV.split(separator: "\n").enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 3 else { throw SynthError.badLine(file: "links", line: number + 1) }
            residentOf[fields[0] + "," + fields[1]] = String(fields[2])
        }
        var report = QualityReport()
        report.records = truth.count
        var byPerson: [Int: [String]] = [:]
        var byResident: [String: [String]] = [:]
        var cells: [String: Int] = [:]
        for (record, fact) in truth {
            byPerson[fact.person, default: []].append(record)
            guard let resident = residentOf[record] else {
                report.unlinked += 1
                continue
            }
            byResident[resident, default: []].append(record)
            cells["\(fact.person)|\(resident)", default: 0] += 1
        }
        report.persons = byPerson.count
        report.residents = byResident.count
        func pairs(_ n: Int) -> Int { n * (n - 1) / 2 }
        report.truePairs = byPerson.values.reduce(0) { $0 + pairs($1.count) }
        report.predictedPairs = byResident.values.reduce(0) { $0 + pairs($1.count) }
        report.truePositives = cells.values.reduce(0) { $0 + pairs($1) }
        for records in byResident.values where records.count > 1 {
            let members = records.prefix(2000).map { truth[$0]! }
            for i in 0..<(members.count - 1) {
                for j in (i + 1)..<members.count where members[i].person != members[j].person {
                    report.falsePositivesByKind[members[i].relation(to: members[j]), default: 0] += 1
                }
            }
        }
        for records in byPerson.values where records.count > 1 {
            for i in 0..<(records.count - 1) {
                for j in (i + 1)..<records.count {
                    let x = residentOf[records[i]]
                    let y = residentOf[records[j]]
                    guard x == nil || x != y else { continue }
                    let tags = Set(truth[records[i]]!.dirt + truth[records[j]]!.dirt)
                    if tags.isEmpty {
                        report.falseNegativesByDirt["clean", default: 0] += 1
                    }
                    for tag in tags { report.falseNegativesByDirt[String(tag), default: 0] += 1 }
                }
            }
        }
        return report
    }

    /// Reads a whole (small) file as UTF-8.
    public static func read(_ path: String) throws -> String {
        guard let file = fopen(path, "r") else { throw SynthError.cannotRead(path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
