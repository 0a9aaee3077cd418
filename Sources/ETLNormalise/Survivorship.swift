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
    /// One chosen value and the record it came from.
    public struct Chosen: Sendable, Equatable {
        public var value: String
        public var record: Int
    }

    /// Per field in `CanonicalField.allCases` order; `nil` where no record has a value.
    public private(set) var fields = [Chosen?](repeating: nil, count: CanonicalField.allCases.count)
    /// The six-digit GB/T 2260 code of the unified address's district (or city), when the
    /// address names one; publishing generalises addresses through it.
    public var region: String?

    public subscript(field: CanonicalField) -> Chosen? {
        get { fields[GoldenRecord.position(field)] }
        set { fields[GoldenRecord.position(field)] = newValue }
    }

    private static func position(_ field: CanonicalField) -> Int {
        switch field {
        case .name: 0
        case .idNumber: 1
        case .sex: 2
        case .birthDate: 3
        case .phone: 4
        case .address: 5
        }
    }
}

/// Picks the unified record's values from a resident's records.
struct Survivor: Sendable {
    let settings: SurvivorshipSettings
    let records: PreparedRecords
    /// Per prepared record, its index in the inputs.
    let inputIndex: InputOrder

    /// The unified record of the prepared records `members`.
    func golden(_ members: [Int]) -> GoldenRecord {
        var golden = GoldenRecord()
        var candidates: [(record: Int, value: Int64, valid: Bool, frequency: Int)] = []
        for field in CanonicalField.allCases {
            candidates.removeAll(keepingCapacity: true)
            for member in members {
                guard let (value, valid) = valueID(field, member) else { continue }
                candidates.append((member, value, valid, 0))
            }
            guard !candidates.isEmpty else { continue }
            // Residents have few records: counting by scanning beats hashing.
            for i in candidates.indices {
                var frequency = 0
                for other in candidates where other.value == candidates[i].value { frequency += 1 }
                candidates[i].frequency = frequency
            }
            let rule = settings.rules[field] ?? .mostFrequent
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
                    if x.frequency != y.frequency { return x.frequency > y.frequency }
                case .validOverInvalid:
                    if x.valid != y.valid { return x.valid }
                    if x.frequency != y.frequency { return x.frequency > y.frequency }
                }
                if rankX != rankY { return rankX < rankY }
                if runX != runY { return runX > runY }
                return x.record < y.record
            }!
            golden[field] = GoldenRecord.Chosen(value: text(field, best.record), record: inputIndex[best.record])
            if field == .address, records.district[best.record] != 0 {
                golden.region = String(records.district[best.record])
            }
        }
        return golden
    }

    private func rank(_ record: Int) -> Int {
        let source = Int(records.source[record])
        return source < settings.sourceRank.count ? settings.sourceRank[source] : source
    }

    /// The record's standard value of `field` as a number (equal numbers, equal values) and
    /// whether it is valid, or `nil` when the record has none.
    private func valueID(_ field: CanonicalField, _ i: Int) -> (Int64, Bool)? {
        let r = records
        switch field {
        case .name: return r.name[i] >= 0 ? (Int64(r.name[i]), true) : nil
        case .idNumber: return r.idNumber[i] >= 0 ? (Int64(r.idNumber[i]), r.idNumberValid[i]) : nil
        case .sex: return r.sex[i] != 0 ? (Int64(r.sex[i]), true) : nil
        case .birthDate: return r.birth[i] != 0 ? (Int64(r.birth[i]), true) : nil
        case .phone: return r.phone[i] >= 0 ? (Int64(r.phone[i]), r.phoneValid[i]) : nil
        case .address: return r.addressText[i] >= 0 ? (Int64(r.addressText[i]), r.addressPlaced[i]) : nil
        }
    }

    /// The record's standard value of `field` as text (the record has one).
    private func text(_ field: CanonicalField, _ i: Int) -> String {
        let r = records
        switch field {
        case .name: return r.names.string(r.name[i])
        case .idNumber: return r.idNumbers.string(r.idNumber[i])
        case .sex: return String(r.sex[i])
        case .birthDate:
            let date = r.birth[i]
            return DatePattern.iso(year: Int(date / 10000), month: Int(date / 100 % 100), day: Int(date % 100))
        case .phone: return r.phones.string(r.phone[i])
        case .address: return r.addressTexts.string(r.addressText[i])
        }
    }
}
