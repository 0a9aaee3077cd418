/// k-anonymity (with record suppression) and distinct ℓ-diversity over a dataset's
/// quasi-identifiers, and the search for the least coarse generalisation that satisfies them:
/// a small full-domain lattice search, as in ARX.
struct PrivacySearch {
    /// One quasi-identifier: a class code per row at each level it may take.
    struct Quasi {
        /// The levels it may take, finest first (the declared one first).
        var levels: [Int]
        /// `code(row, level)`.
        var code: (Int, Int) -> Int64
    }

    let rows: Int
    let quasis: [Quasi]
    /// Per row, its sensitive value's code, for ℓ-diversity.
    let sensitive: [Int32]?
    let k: Int
    let l: Int
    let suppressionLimit: Double

    /// The outcome for one combination of levels.
    struct Evaluation {
        /// Per quasi-identifier, the level taken.
        var levels: [Int]
        /// Per row, whether it is suppressed.
        var suppressed: [Bool]
        var suppressedCount: Int
        /// Per published row's class, its size (one entry per class).
        var classSizes: [Int]
        var smallestClass: Int
        var lowestDiversity: Int
    }

    /// The most rows that may be suppressed.
    var allowedSuppressions: Int { Int((Double(rows) * suppressionLimit).rounded(.down)) }

    /// Searches the lattice by height (the total number of steps coarser than declared): the
    /// first height with a combination that satisfies the model wins, and within it the one
    /// that suppresses fewest rows, then the first in order. Returns it, or `nil` with the
    /// fewest suppressions any combination reached.
    func search() -> (chosen: Evaluation?, nodesEvaluated: Int, bestSuppressed: Int) {
        var nodes: [[Int]] = [[]]
        for quasi in quasis {
            nodes = nodes.flatMap { node in quasi.levels.indices.map { node + [$0] } }
        }
        let byHeight = Dictionary(grouping: nodes) { $0.reduce(0, +) }
        var evaluated = 0
        var bestSuppressed = rows
        for height in byHeight.keys.sorted() {
            var best: Evaluation?
            for node in byHeight[height]!.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let evaluation = evaluate(offsets: node)
                evaluated += 1
                bestSuppressed = min(bestSuppressed, evaluation.suppressedCount)
                guard evaluation.suppressedCount <= allowedSuppressions else { continue }
                if best == nil || evaluation.suppressedCount < best!.suppressedCount { best = evaluation }
            }
            if let best { return (best, evaluated, bestSuppressed) }
        }
        return (nil, evaluated, bestSuppressed)
    }

    /// Classes and suppressions for the levels at `offsets` (one per quasi-identifier, into
    /// its `levels`).
    func evaluate(offsets: [Int]) -> Evaluation {
        let levels = zip(quasis, offsets).map { $0.levels[$1] }
        // Rows get a class number quasi-identifier by quasi-identifier: (class so far, code)
        // pairs are numbered as they are first seen.
        var classOf = [Int32](repeating: 0, count: rows)
        var classCount = rows > 0 ? 1 : 0
        for (quasi, level) in zip(quasis, levels) {
            var codes: [Int64: UInt32] = [:]
            var pairs: [UInt64: Int32] = [:]
            pairs.reserveCapacity(min(rows, 1 << 16))
            for row in 0..<rows {
                let code = quasi.code(row, level)
                let dense: UInt32
                if let known = codes[code] {
                    dense = known
                } else {
                    dense = UInt32(codes.count)
                    codes[code] = dense
                }
                let pair = UInt64(UInt32(bitPattern: classOf[row])) << 32 | UInt64(dense)
                if let known = pairs[pair] {
                    classOf[row] = known
                } else {
                    let next = Int32(pairs.count)
                    pairs[pair] = next
                    classOf[row] = next
                }
            }
            classCount = pairs.count
        }
        var sizes = [Int](repeating: 0, count: classCount)
        for row in 0..<rows { sizes[Int(classOf[row])] += 1 }
        var diversity = [Int](repeating: Int.max, count: classCount)
        if let sensitive {
            var seen = Set<UInt64>()
            diversity = [Int](repeating: 0, count: classCount)
            for row in 0..<rows {
                let pair = UInt64(UInt32(bitPattern: classOf[row])) << 32 | UInt64(UInt32(bitPattern: sensitive[row]))
                if seen.insert(pair).inserted { diversity[Int(classOf[row])] += 1 }
            }
        }
        let failing = (0..<classCount).map { sizes[$0] < k || diversity[$0] < l }
        var suppressed = [Bool](repeating: false, count: rows)
        var suppressedCount = 0
        for row in 0..<rows where failing[Int(classOf[row])] {
            suppressed[row] = true
            suppressedCount += 1
        }
        let kept = (0..<classCount).filter { !failing[$0] }
        return Evaluation(
            levels: levels, suppressed: suppressed, suppressedCount: suppressedCount,
            classSizes: kept.map { sizes[$0] },
            smallestClass: kept.map { sizes[$0] }.min() ?? 0,
            lowestDiversity: sensitive == nil ? 0 : (kept.map { diversity[$0] }.min() ?? 0))
    }
}
