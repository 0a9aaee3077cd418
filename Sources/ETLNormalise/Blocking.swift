/// The blocking keys: records are compared only when they share at least one. Several keys,
/// so that a typo in one field does not lose a pair.
public enum BlockingKey: Int, CaseIterable, Sendable {
    /// The standard ID number.
    case idNumber
    /// The name's pinyin and the birth date.
    case pinyinAndBirthDate
    /// The phone number.
    case phone
    /// The birth date and the surname, so that a name with a dropped or misheard character
    /// still meets its partner, also after a move to another district.
    case birthDateAndSurname
    /// The ID number's region and birth date (its first 14 characters) and the surname.
    case idPrefixAndSurname
    /// The name's pinyin and the address (from the district down), for records without a
    /// birth date or ID number that give the same address.
    case pinyinAndAddress
    /// The name's pinyin alone, so that a record whose other fields all differ or are missing
    /// is still compared. Common names make large blocks; in them each record is compared with
    /// its neighbours in order of district, birth date and ID number.
    case pinyin

    public var name: String {
        switch self {
        case .idNumber: "idNumber"
        case .pinyinAndBirthDate: "pinyin+birthDate"
        case .phone: "phone"
        case .birthDateAndSurname: "birthDate+surname"
        case .idPrefixAndSurname: "idPrefix+surname"
        case .pinyinAndAddress: "pinyin+address"
        case .pinyin: "pinyin"
        }
    }

    /// The bit of this key in a pair's set of keys.
    var bit: UInt8 { 1 << UInt8(rawValue) }
}

/// Candidate pairs from blocking, with the keys that brought each pair together.
struct CandidatePairs: Sendable {
    /// Pairs `(a, b)` with `a < b`, sorted.
    var first: [Int32] = []
    var second: [Int32] = []
    /// Per pair, a bit set of `BlockingKey.bit`.
    var keys: [UInt8] = []
    /// Blocks larger than the cap, compared only with their nearest neighbours.
    var cappedBlocks = 0
    /// Per blocking key, the pairs it formed (a pair two keys formed counts for both).
    var pairsPerKey = [Int](repeating: 0, count: BlockingKey.allCases.count)

    var count: Int { first.count }

    /// The index of the pair `(a, b)`, `a < b`, when blocking formed it.
    func find(_ a: Int32, _ b: Int32) -> Int? {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if (first[middle], second[middle]) < (a, b) { low = middle + 1 } else { high = middle }
        }
        return low < count && first[low] == a && second[low] == b ? low : nil
    }
}

/// Forms candidate pairs from the blocking keys.
struct Blocker {
    /// The largest block compared in full; a larger block compares each record with its
    /// `window` neighbours in order of name, birth date and ID number.
    var maxBlockSize: Int
    var window: Int

    func candidatePairs(_ records: PreparedRecords) -> CandidatePairs {
        var packed: [UInt64] = []
        var cappedBlocks = 0
        var pairsPerKey = [Int](repeating: 0, count: BlockingKey.allCases.count)
        for key in BlockingKey.allCases {
            let before = packed.count
            defer { pairsPerKey[key.rawValue] = packed.count - before }
            var entries: [(hash: UInt64, record: Int32)] = []
            entries.reserveCapacity(records.count)
            for index in 0..<records.count {
                if let hash = Blocker.hash(key, records, index) { entries.append((hash, Int32(index))) }
            }
            entries.sort { ($0.hash, $0.record) < ($1.hash, $1.record) }
            var start = 0
            while start < entries.count {
                var end = start + 1
                while end < entries.count, entries[end].hash == entries[start].hash { end += 1 }
                let size = end - start
                if size >= 2 {
                    var block = entries[start..<end].map(\.record)
                    // The name alone is the last resort (records whose other fields all differ):
                    // its blocks are compared in full only when small, and by a narrower window.
                    let window = key == .pinyin ? max(1, self.window / 3) : self.window
                    if size <= (key == .pinyin ? min(maxBlockSize, window * 2) : maxBlockSize) {
                        for i in 0..<(size - 1) {
                            for j in (i + 1)..<size {
                                packed.append(Blocker.pack(block[i], block[j], key))
                            }
                        }
                    } else {
                        cappedBlocks += 1
                        block.sort { Blocker.order(records, $0, $1) }
                        for i in 0..<(size - 1) {
                            for j in (i + 1)..<min(size, i + 1 + window) {
                                packed.append(Blocker.pack(block[i], block[j], key))
                            }
                        }
                        // A record without a birth date has nothing to sort it near its partner
                        // by; in a name block of moderate size it meets every record beyond its
                        // window.
                        if key == .pinyin, size <= maxBlockSize * 4 {
                            for i in 0..<size where Blocker.isWeak(records, block[i]) {
                                for j in 0..<size
                                where j > i + window || (j < i - window && !Blocker.isWeak(records, block[j])) {
                                    packed.append(Blocker.pack(block[i], block[j], key))
                                }
                            }
                        }
                    }
                }
                start = end
            }
        }
        // Sort by pair (the key bits sit lowest), then merge each pair's keys.
        packed.sort()
        var pairs = CandidatePairs()
        pairs.cappedBlocks = cappedBlocks
        pairs.pairsPerKey = pairsPerKey
        pairs.first.reserveCapacity(packed.count / 2)
        pairs.second.reserveCapacity(packed.count / 2)
        pairs.keys.reserveCapacity(packed.count / 2)
        var last: UInt64 = .max
        for value in packed {
            let pair = value >> 8
            let bit = UInt8(1) << UInt8(value & 0xFF)
            if pair == last {
                pairs.keys[pairs.keys.count - 1] |= bit
            } else {
                last = pair
                pairs.first.append(Int32(truncatingIfNeeded: pair >> 28))
                pairs.second.append(Int32(truncatingIfNeeded: pair & 0xFFF_FFFF))
                pairs.keys.append(bit)
            }
        }
        return pairs
    }

    /// A pair and its key in one integer: 28 bits each record (up to 268M records), 8 the key.
    private static func pack(_ a: Int32, _ b: Int32, _ key: BlockingKey) -> UInt64 {
        let (low, high) = a < b ? (a, b) : (b, a)
        return (UInt64(low) << 36) | (UInt64(high) << 8) | UInt64(key.rawValue)
    }

    /// Whether a record has no birth date (neither its own nor one from a valid ID number).
    private static func isWeak(_ records: PreparedRecords, _ record: Int32) -> Bool {
        records.birth[Int(record)] == 0
    }

    /// The order within an oversized block: by name, district, birth date, ID number, then
    /// position.
    private static func order(_ records: PreparedRecords, _ a: Int32, _ b: Int32) -> Bool {
        let x = Int(a)
        let y = Int(b)
        return (records.pinyin[x], records.district[x], records.birth[x], records.idNumber[x], a)
            < (records.pinyin[y], records.district[y], records.birth[y], records.idNumber[y], b)
    }

    /// The record's value of `key`, hashed, or `nil` when it lacks a part of it.
    private static func hash(_ key: BlockingKey, _ r: PreparedRecords, _ i: Int) -> UInt64? {
        var hasher = KeyHasher(UInt64(key.rawValue))
        switch key {
        case .idNumber:
            guard r.idNumber[i] >= 0 else { return nil }
            hasher.add(r.idNumber[i])
        case .pinyinAndBirthDate:
            guard r.pinyin[i] >= 0, r.birth[i] != 0 else { return nil }
            hasher.add(r.pinyin[i])
            hasher.add(r.birth[i])
        case .phone:
            guard r.phone[i] >= 0 else { return nil }
            hasher.add(r.phone[i])
        case .birthDateAndSurname:
            guard r.birth[i] != 0, r.surname[i] >= 0 else { return nil }
            hasher.add(r.birth[i])
            hasher.add(r.surname[i])
        case .idPrefixAndSurname:
            guard r.idNumber[i] >= 0, r.idBirth[i] != 0, r.surname[i] >= 0 else { return nil }
            let prefix = r.idNumbers.with(r.idNumber[i]) { bytes in
                bytes.prefix(14).reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) }
            }
            hasher.add(prefix)
            hasher.add(r.surname[i])
        case .pinyinAndAddress:
            guard r.pinyin[i] >= 0, r.address[i] >= 0 else { return nil }
            hasher.add(r.pinyin[i])
            hasher.add(r.address[i])
        case .pinyin:
            guard r.pinyin[i] >= 0 else { return nil }
            hasher.add(r.pinyin[i])
        }
        return hasher.value
    }
}

/// FNV-1a over 64-bit words, for blocking keys.
private struct KeyHasher {
    private(set) var value: UInt64

    init(_ seed: UInt64) {
        value = 0xCBF2_9CE4_8422_2325 ^ seed
    }

    mutating func add<Value: BinaryInteger>(_ part: Value) {
        value = (value ^ UInt64(truncatingIfNeeded: part)) &* 0x0000_0100_0000_01B3
        value ^= value >> 29
    }
}
