import Foundation

/// Turns comparison vectors into match weights with the model, adjusting exact agreements on
/// names, phones and addresses by how common the value is: agreeing on 张伟, or on a phone a
/// whole household gives, is weaker evidence than agreeing on a rare value.
struct PairScorer {
    private let weights: [[Double]]
    private let prior: Double
    private let mExact: [Double]
    /// Per interned name, the share of records with it; per interned phone and address, the
    /// share of distinct names (people) that give it.
    private let nameShare: [Double]
    private let phoneShare: [Double]
    private let addressShare: [Double]
    private let records: PreparedRecords

    init(model: MatchModel, records: PreparedRecords) {
        weights = MatchField.allCases.map { field in
            (0..<field.levels.count).map { model.weight(field, level: $0) }
        }
        prior = model.priorWeight
        mExact = MatchField.allCases.map { model.m[$0.rawValue][$0.exactLevel] }
        self.records = records
        let n = Double(max(records.count, 1))
        var nameCounts = [Int](repeating: 0, count: records.names.count)
        for name in records.name where name >= 0 { nameCounts[Int(name)] += 1 }
        nameShare = nameCounts.map { Double(max($0, 1)) / n }
        phoneShare = PairScorer.peopleShare(values: records.phone, valueCount: records.phones.count, records: records)
        addressShare = PairScorer.peopleShare(
            values: records.address, valueCount: records.addresses.count, records: records)
    }

    /// Per value, how many distinct names give it, as a share of all records.
    private static func peopleShare(values: [Int32], valueCount: Int, records: PreparedRecords) -> [Double] {
        var pairs: [UInt64] = []
        pairs.reserveCapacity(values.count)
        for (index, value) in values.enumerated() where value >= 0 {
            // A record without a name counts as a person of its own.
            let person = records.pinyin[index] >= 0 ? UInt32(records.pinyin[index]) : UInt32.max - UInt32(index)
            pairs.append(UInt64(UInt32(value)) << 32 | UInt64(person))
        }
        pairs.sort()
        var people = [Int](repeating: 0, count: valueCount)
        var last: UInt64 = .max
        for pair in pairs where pair != last {
            people[Int(pair >> 32)] += 1
            last = pair
        }
        let n = Double(max(records.count, 1))
        return people.map { Double(max($0, 1)) / n }
    }

    /// The match weight in bits of records `a` and `b` with `vector`, the prior included.
    func weight(_ vector: ComparisonVector, _ a: Int, _ b: Int) -> Double {
        var total = prior
        for field in MatchField.allCases {
            let level = vector[field]
            guard level != ComparisonVector.missing else { continue }
            total += weight(field, Int(level), a)
        }
        return total
    }

    /// One field's weight, with the term-frequency adjustment on an exact agreement.
    func weight(_ field: MatchField, _ level: Int, _ a: Int) -> Double {
        guard field.hasTermFrequency, level == field.exactLevel else { return weights[field.rawValue][level] }
        let share: Double
        switch field {
        case .name: share = nameShare[Int(records.name[a])]
        case .phone: share = phoneShare[Int(records.phone[a])]
        default: share = addressShare[Int(records.address[a])]
        }
        return log2(mExact[field.rawValue] / share)
    }

    /// Whether both records hold the same ID number and it passes the check.
    static func sharesValidID(_ vector: ComparisonVector, _ a: Int, _ b: Int, _ records: PreparedRecords) -> Bool {
        vector[.idNumber] == MatchField.idNumber.exactLevel && records.idStatus[a] == .valid
            && records.idStatus[b] == .valid
    }

    /// Whether a pair has the evidence of identity a link needs, whatever its weight: an ID
    /// number that agrees (exactly, or within one typing error), or else a name that is close
    /// and a birth date that is not different, and no disagreement on sex. Twins (same birth
    /// date and address, different given names) and household members (same phone and
    /// address) fail it, however much else they share.
    static func isEligible(_ vector: ComparisonVector) -> Bool {
        let id = vector[.idNumber]
        if id != ComparisonVector.missing, id >= 1 { return true }
        let name = vector[.name]
        let birth = vector[.birthDate]
        let sex = vector[.sex]
        return name != ComparisonVector.missing && name >= 2 && birth != 0 && sex != 0
    }
}
