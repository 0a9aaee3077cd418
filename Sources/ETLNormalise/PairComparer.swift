/// Compares two prepared records field by field, giving each field its comparison level.
struct PairComparer: Sendable {
    let records: PreparedRecords

    /// The comparison vector of records `a` and `b`, and whether their ID numbers are two
    /// different valid numbers (a hard constraint: they are two people).
    func compare(_ a: Int, _ b: Int) -> (vector: ComparisonVector, differentValidIDs: Bool) {
        var vector = ComparisonVector()
        var conflict = false
        let r = records
        // ID number.
        let idA = r.idNumber[a]
        let idB = r.idNumber[b]
        if idA >= 0, idB >= 0 {
            // Two different numbers whose birth dates agree are not a level of their own: the
            // birth date field already weighs that agreement, and counting it twice linked
            // namesakes born the same day whenever one of their numbers was mistyped.
            if idA == idB {
                vector[.idNumber] = 2
            } else if r.idStatus[a] == .valid, r.idStatus[b] == .valid {
                conflict = true
                vector[.idNumber] = 0
            } else {
                vector[.idNumber] = withinOneEdit(r.idNumbers, idA, idB) ? 1 : 0
            }
        }
        // Name.
        let nameA = r.name[a]
        let nameB = r.name[b]
        if nameA >= 0, nameB >= 0 {
            if nameA == nameB {
                vector[.name] = 4
            } else if r.pinyin[a] >= 0, r.pinyin[a] == r.pinyin[b] {
                vector[.name] = 3
            } else {
                let similarity = r.nameScalars.with(nameA) { x in
                    r.nameScalars.with(nameB) { y in JaroWinkler.similarity(x, y) }
                }
                vector[.name] = similarity >= 0.895 ? 2 : similarity >= 0.8 ? 1 : 0
            }
        }
        // Birth date.
        let birthA = r.birth[a]
        let birthB = r.birth[b]
        if birthA != 0, birthB != 0 {
            vector[.birthDate] = PairComparer.dateLevel(birthA, birthB)
        }
        // Sex.
        if r.sex[a] != 0, r.sex[b] != 0 {
            vector[.sex] = r.sex[a] == r.sex[b] ? 1 : 0
        }
        // Phone.
        let phoneA = r.phone[a]
        let phoneB = r.phone[b]
        if phoneA >= 0, phoneB >= 0 {
            vector[.phone] = phoneA == phoneB ? 2 : withinOneEdit(r.phones, phoneA, phoneB) ? 1 : 0
        }
        // Address.
        let addressA = r.address[a]
        let addressB = r.address[b]
        if addressA >= 0, addressB >= 0 {
            if addressA == addressB {
                vector[.address] = 3
            } else {
                let sameDistrict = r.district[a] != 0 && r.district[a] == r.district[b]
                let overlap = r.addressBigrams.with(addressA) { x in
                    r.addressBigrams.with(addressB) { y in PairComparer.jaccard(x, y) }
                }
                let placedApart = r.district[a] != 0 && r.district[b] != 0 && !sameDistrict
                vector[.address] = placedApart ? 0 : overlap >= 0.5 ? 2 : sameDistrict ? 1 : 0
            }
        }
        return (vector, conflict)
    }

    /// The birth-date level of two dates written as yyyymmdd.
    static func dateLevel(_ a: Int32, _ b: Int32) -> UInt8 {
        if a == b { return 3 }
        let (yearA, monthA, dayA) = (a / 10000, a / 100 % 100, a % 100)
        let (yearB, monthB, dayB) = (b / 10000, b / 100 % 100, b % 100)
        if yearA == yearB, monthA == dayB, dayA == monthB { return 2 }
        let differing = (yearA != yearB ? 1 : 0) + (monthA != monthB ? 1 : 0) + (dayA != dayB ? 1 : 0)
        return differing == 1 ? 1 : 0
    }

    /// Whether two byte strings differ by at most one substitution, insertion, deletion or
    /// transposition of neighbours.
    private func withinOneEdit(_ values: Interner, _ a: Int32, _ b: Int32) -> Bool {
        values.with(a) { x in values.with(b) { y in PairComparer.withinOneEdit(x, y) } }
    }

    static func withinOneEdit(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        if x.count == y.count {
            var first = -1
            var differences = 0
            for index in 0..<x.count where x[index] != y[index] {
                differences += 1
                if differences == 1 { first = index }
                if differences > 2 { return false }
            }
            if differences <= 1 { return true }
            // Two differences count as one edit only when they are swapped neighbours.
            return differences == 2 && first + 1 < x.count && x[first] == y[first + 1] && x[first + 1] == y[first]
                && x[first] != x[first + 1]
        }
        let (short, long) = x.count < y.count ? (x, y) : (y, x)
        guard long.count == short.count + 1 else { return false }
        var i = 0
        var j = 0
        var skipped = false
        while i < short.count, j < long.count {
            if short[i] == long[j] {
                i += 1
                j += 1
            } else {
                if skipped { return false }
                skipped = true
                j += 1
            }
        }
        return true
    }

    /// The Jaccard similarity of two sorted sets.
    static func jaccard(_ x: UnsafeBufferPointer<UInt32>, _ y: UnsafeBufferPointer<UInt32>) -> Double {
        guard !x.isEmpty || !y.isEmpty else { return 1 }
        var i = 0
        var j = 0
        var shared = 0
        while i < x.count, j < y.count {
            if x[i] == y[j] {
                shared += 1
                i += 1
                j += 1
            } else if x[i] < y[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return Double(shared) / Double(x.count + y.count - shared)
    }
}

/// Jaro-Winkler similarity on Unicode scalars.
enum JaroWinkler {
    /// The similarity of `x` and `y`, from 0 (nothing shared) to 1 (equal). The match window
    /// is at least one position, so that 张晓伟 and 张伟 (a dropped character) still agree on 伟.
    static func similarity(_ x: UnsafeBufferPointer<UInt32>, _ y: UnsafeBufferPointer<UInt32>) -> Double {
        if x.isEmpty || y.isEmpty { return x.isEmpty && y.isEmpty ? 1 : 0 }
        let window = max(1, max(x.count, y.count) / 2 - 1)
        // Names are short: bit masks of the matched positions suffice up to 64 characters.
        guard x.count <= 64, y.count <= 64 else { return x.elementsEqual(y) ? 1 : 0 }
        var matchedX: UInt64 = 0
        var matchedY: UInt64 = 0
        var matches = 0
        for i in 0..<x.count {
            let low = max(0, i - window)
            let high = min(y.count - 1, i + window)
            guard low <= high else { continue }
            for j in low...high where matchedY & (1 << UInt64(j)) == 0 && x[i] == y[j] {
                matchedX |= 1 << UInt64(i)
                matchedY |= 1 << UInt64(j)
                matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var transpositions = 0
        var j = 0
        for i in 0..<x.count where matchedX & (1 << UInt64(i)) != 0 {
            while matchedY & (1 << UInt64(j)) == 0 { j += 1 }
            if x[i] != y[j] { transpositions += 1 }
            j += 1
        }
        let m = Double(matches)
        let jaro = (m / Double(x.count) + m / Double(y.count) + (m - Double(transpositions / 2)) / m) / 3
        var prefix = 0
        while prefix < min(4, x.count, y.count), x[prefix] == y[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }
}
