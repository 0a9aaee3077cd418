import ETLCore

/// How a resident's unified record picks each field's value from its source records.
public enum SurvivorshipRule: String, CaseIterable, Sendable, Codable {
    /// The value from the highest-priority source (the pipeline's `sourcePriority`).
    case sourcePriority
    /// The value from the most recently imported export.
    case mostRecent
    /// The value most of the records give.
    case mostFrequent
    /// A value that passes its check (an ID number's check character, a phone's shape, an
    /// address placed in a district) over one that does not; then the most frequent.
    case validOverInvalid
}

/// The survivorship rule per field, and the sources' priority for ties.
public struct SurvivorshipSettings: Sendable, Equatable {
    public var rules: [CanonicalField: SurvivorshipRule] = [
        .name: .mostFrequent, .idNumber: .validOverInvalid, .sex: .mostFrequent, .birthDate: .mostFrequent,
        .phone: .mostRecent, .address: .mostRecent,
    ]
    /// Per source position in the pipeline, its rank (0 highest). By default the pipeline's order.
    public var sourceRank: [Int] = []

    public init() {}
}

/// A resident's unified record: per canonical field, the chosen standard value and the
/// source record (index into the resolver's inputs) that supplied it.
public struct GoldenRecord: Sendable, Equatable {
    public var values: [CanonicalField: (value: String, record: Int)] = [:]

    public static func == (lhs: GoldenRecord, rhs: GoldenRecord) -> Bool {
        lhs.values.count == rhs.values.count
            && lhs.values.allSatisfy { field, chosen in
                rhs.values[field].map { $0.value == chosen.value && $0.record == chosen.record } ?? false
            }
    }
}

/// Picks the unified record's values from a resident's records.
struct Survivor {
    let settings: SurvivorshipSettings
    let records: PreparedRecords
    /// Per prepared record, its index in the inputs.
    let inputIndex: [Int]

    /// The unified record of the prepared records `members`.
    func golden(_ members: [Int]) -> GoldenRecord {
        var golden = GoldenRecord()
        for field in CanonicalField.allCases {
            var candidates: [(record: Int, value: String, valid: Bool)] = []
            for member in members {
                guard let (value, valid) = standard(field, member) else { continue }
                candidates.append((member, value, valid))
            }
            guard !candidates.isEmpty else { continue }
            let rule = settings.rules[field] ?? .mostFrequent
            var frequency: [String: Int] = [:]
            for candidate in candidates { frequency[candidate.value, default: 0] += 1 }
            let best = candidates.min { x, y in
                // Every rule ends in the same tie-breaks: source rank, recency, then input order.
                let rankX = rank(x.record)
                let rankY = rank(y.record)
                let runX = records.runID[x.record]
                let runY = records.runID[y.record]
                switch rule {
                case .sourcePriority:
                    if rankX != rankY { return rankX < rankY }
                case .mostRecent:
                    if runX != runY { return runX > runY }
                case .mostFrequent:
                    if frequency[x.value] != frequency[y.value] { return frequency[x.value]! > frequency[y.value]! }
                case .validOverInvalid:
                    if x.valid != y.valid { return x.valid }
                    if frequency[x.value] != frequency[y.value] { return frequency[x.value]! > frequency[y.value]! }
                }
                if rankX != rankY { return rankX < rankY }
                if runX != runY { return runX > runY }
                return x.record < y.record
            }!
            golden.values[field] = (best.value, inputIndex[best.record])
        }
        return golden
    }

    private func rank(_ record: Int) -> Int {
        let source = Int(records.source[record])
        return source < settings.sourceRank.count ? settings.sourceRank[source] : source
    }

    /// The record's standard value of `field` and whether it is valid, or `nil` when it has none.
    private func standard(_ field: CanonicalField, _ i: Int) -> (String, Bool)? {
        let r = records
        switch field {
        case .name:
            return r.name[i] >= 0 ? (r.names.values[Int(r.name[i])], true) : nil
        case .idNumber:
            return r.idNumber[i] >= 0 ? (r.idNumbers.values[Int(r.idNumber[i])], r.idNumberValid[i]) : nil
        case .sex:
            return r.sex[i] != 0 ? (String(r.sex[i]), true) : nil
        case .birthDate:
            let date = r.birth[i]
            guard date != 0 else { return nil }
            return (DatePattern.iso(year: Int(date / 10000), month: Int(date / 100 % 100), day: Int(date % 100)), true)
        case .phone:
            return r.phone[i] >= 0 ? (r.phones.values[Int(r.phone[i])], r.phoneValid[i]) : nil
        case .address:
            return r.addressText[i] >= 0 ? (r.addressTexts.values[Int(r.addressText[i])], r.addressPlaced[i]) : nil
        }
    }
}
