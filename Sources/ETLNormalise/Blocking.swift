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

/// Finds the blocks of the blocking keys.
struct Blocker {
    /// The largest block compared in full; a larger block compares each record with its
    /// `window` neighbours in order of name, birth date and ID number.
    var maxBlockSize: Int
    var window: Int

    /// The blocks of every key: per key, the records that share a value, each block of two or
    /// more records kept in the order its pairs are formed in.
    func blocks(_ records: PreparedRecords) -> Blocks {
        var perKey: [Blocks.KeyBlocks] = []
        var cappedBlocks = 0
        for key in BlockingKey.allCases {
            var entries: [(hash: UInt64, record: Int32)] = []
            entries.reserveCapacity(records.count)
            for index in 0..<records.count {
                if let hash = Blocker.hash(key, records, index) { entries.append((hash, Int32(index))) }
            }
            entries.sort { ($0.hash, $0.record) < ($1.hash, $1.record) }
            var blocks = Blocks.KeyBlocks(key: key, window: key == .pinyin ? max(1, window / 3) : window)
            // The name alone is the last resort (records whose other fields all differ): its
            // blocks are compared in full only when small, and by a narrower window.
            blocks.fullUpTo = key == .pinyin ? min(maxBlockSize, blocks.window * 2) : maxBlockSize
            // A record without a birth date has nothing to sort it near its partner by; in a
            // name block of moderate size it meets every record beyond its window.
            blocks.weakUpTo = key == .pinyin ? maxBlockSize * 4 : 0
            var start = 0
            while start < entries.count {
                var end = start + 1
                while end < entries.count, entries[end].hash == entries[start].hash { end += 1 }
                if end - start >= 2 {
                    var block = entries[start..<end].map(\.record)
                    if block.count > blocks.fullUpTo {
                        cappedBlocks += 1
                        block.sort { Blocker.order(records, $0, $1) }
                    }
                    blocks.records.append(contentsOf: block)
                    blocks.starts.append(Int32(blocks.records.count))
                }
                start = end
            }
            blocks.records = blocks.records.compacted()
            blocks.starts = blocks.starts.compacted()
            perKey.append(blocks)
        }
        return Blocks(perKey: perKey, cappedBlocks: cappedBlocks)
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
    fileprivate static func hash(_ key: BlockingKey, _ r: PreparedRecords, _ i: Int) -> UInt64? {
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

/// The blocks of every blocking key. Candidate pairs are formed from them a partition at a
/// time (the pairs whose lower record falls in a range of records), so that the pairs of a
/// large register are never all held at once.
struct Blocks: Sendable {
    /// One key's blocks: block `i` is `records[starts[i]..<starts[i + 1]]`, in record order
    /// when compared in full, else in `Blocker.order`.
    struct KeyBlocks: Sendable {
        var key: BlockingKey
        var window: Int
        /// The largest block compared in full.
        var fullUpTo = 0
        /// The largest capped block in which a record without a birth date meets every record.
        var weakUpTo = 0
        var records: [Int32] = []
        var starts: [Int32] = [0]
    }

    var perKey: [KeyBlocks]
    /// Blocks larger than the cap, compared only with their nearest neighbours.
    var cappedBlocks: Int

    /// Calls `body(a, b, key)` for every pair the blocks form whose lower record is in
    /// `range`, `a < b`. A pair two keys form comes once per key.
    @inline(__always)
    func forEachPair(
        lowIn range: Range<Int32>, _ records: PreparedRecords, _ body: (Int32, Int32, BlockingKey) -> Void
    ) {
        for blocks in perKey {
            let key = blocks.key
            let window = blocks.window
            blocks.records.withUnsafeBufferPointer { all in
                for index in 0..<(blocks.starts.count - 1) {
                    let block = UnsafeBufferPointer(
                        rebasing: all[Int(blocks.starts[index])..<Int(blocks.starts[index + 1])])
                    let size = block.count
                    if size <= blocks.fullUpTo {
                        // In record order: the lower record of pair (i, j) is the i-th.
                        guard block[0] < range.upperBound, block[size - 1] >= range.lowerBound else { continue }
                        for i in 0..<(size - 1) where range.contains(block[i]) {
                            for j in (i + 1)..<size { body(block[i], block[j], key) }
                        }
                        continue
                    }
                    func form(_ x: Int32, _ y: Int32) {
                        let (low, high) = x < y ? (x, y) : (y, x)
                        if range.contains(low) { body(low, high, key) }
                    }
                    for i in 0..<(size - 1) {
                        for j in (i + 1)..<min(size, i + 1 + window) { form(block[i], block[j]) }
                    }
                    if size <= blocks.weakUpTo {
                        for i in 0..<size where records.birth[Int(block[i])] == 0 {
                            for j in 0..<size
                            where j > i + window || (j < i - window && records.birth[Int(block[j])] != 0) {
                                form(block[i], block[j])
                            }
                        }
                    }
                }
            }
        }
    }

    /// Ranges of records whose pairs (as the lower record) number at most about `budget`
    /// before merging the keys' duplicates, covering all `records`; and the pairs each key
    /// forms.
    func partitions(
        _ records: PreparedRecords, budget: Int
    ) -> (ranges: [Range<Int32>], pairsPerKey: [Int]) {
        var perRecord = [UInt32](repeating: 0, count: records.count)
        var pairsPerKey = [Int](repeating: 0, count: BlockingKey.allCases.count)
        forEachPair(lowIn: 0..<Int32(records.count), records) { low, _, key in
            perRecord[Int(low)] += 1
            pairsPerKey[key.rawValue] += 1
        }
        var ranges: [Range<Int32>] = []
        var start = 0
        var pairs = 0
        for (record, count) in perRecord.enumerated() {
            if pairs > 0, pairs + Int(count) > budget {
                ranges.append(Int32(start)..<Int32(record))
                start = record
                pairs = 0
            }
            pairs += Int(count)
        }
        ranges.append(Int32(start)..<Int32(records.count))
        return (ranges, pairsPerKey)
    }

    /// The candidate pairs whose lower record is in `range`, sorted, each once with all the
    /// keys that formed it.
    func pairs(lowIn range: Range<Int32>, _ records: PreparedRecords) -> CandidatePairs {
        var packed: [UInt64] = []
        forEachPair(lowIn: range, records) { low, high, key in
            packed.append((UInt64(low) << 36) | (UInt64(high) << 8) | UInt64(key.rawValue))
        }
        // Sort by pair (the key bits sit lowest), then merge each pair's keys.
        packed.sort()
        var pairs = CandidatePairs()
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
