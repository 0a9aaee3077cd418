import Foundation

/// A Fellegi–Sunter match model: for each field and comparison level, the probability `m` of
/// seeing that level when two records are the same resident and `u` when they are not, and
/// the share of candidate pairs that are matches (`prior`). Estimated from the data alone
/// (`u` from random pairs, `m` and `prior` by expectation maximisation over the candidate
/// pairs), and saved with each run.
public struct MatchModel: Codable, Sendable, Equatable {
    /// Per field (in `MatchField` order), per level (lowest first).
    public var m: [[Double]]
    public var u: [[Double]]
    /// The share of candidate pairs that are matches.
    public var prior: Double
    /// How many EM iterations ran, and whether they converged.
    public var iterations: Int
    public var converged: Bool
    /// How many random pairs `u` was estimated from.
    public var randomPairs: Int

    /// The weight of each level, in bits: log2(m / u).
    public func weight(_ field: MatchField, level: Int) -> Double {
        log2(m[field.rawValue][level] / u[field.rawValue][level])
    }

    /// The prior's weight, in bits: log2(prior / (1 - prior)).
    public var priorWeight: Double { log2(prior / (1 - prior)) }

    /// Probabilities are kept off 0 and 1, so every weight is finite.
    static let floor = 1e-6

    /// A starting point for EM: exact agreement likely among matches.
    static func initial(u: [[Double]]) -> MatchModel {
        var m: [[Double]] = []
        for field in MatchField.allCases {
            let levels = field.levels.count
            var row = [Double](repeating: 0.05 / Double(levels - 1), count: levels)
            row[levels - 1] = 0.95
            m.append(row)
        }
        return MatchModel(m: m, u: u, prior: 0.1, iterations: 0, converged: false, randomPairs: 0)
    }

    /// Estimates `u` from `pairs` comparisons of random record pairs (deterministic: the
    /// same records give the same pairs).
    static func estimateU(records: PreparedRecords, comparer: PairComparer, pairs: Int) -> ([[Double]], Int) {
        var counts = MatchField.allCases.map { [Double](repeating: 0, count: $0.levels.count) }
        guard records.count >= 2 else {
            return (counts.map { row in row.map { _ in 1 / Double(row.count) } }, 0)
        }
        var generator = SplitMix64(seed: 0x5EED_2260)
        let n = UInt64(records.count)
        var compared = 0
        for _ in 0..<pairs {
            let a = Int(generator.next() % n)
            var b = Int(generator.next() % (n - 1))
            if b >= a { b += 1 }
            let vector = comparer.compare(a, b).vector
            for field in MatchField.allCases {
                let level = vector[field]
                if level != ComparisonVector.missing { counts[field.rawValue][Int(level)] += 1 }
            }
            compared += 1
        }
        let u = counts.map { row -> [Double] in
            let total = row.reduce(0, +)
            // Add a half observation per level, so that a level never seen is rare, not impossible.
            return row.map { max(($0 + 0.5) / (total + 0.5 * Double(row.count)), floor) }
        }
        return (u, compared)
    }

    /// Runs EM over the candidate pairs' comparison vectors (as distinct vectors with counts)
    /// to estimate `m` and `prior`, keeping `u` fixed.
    static func estimate(
        patterns: [(vector: ComparisonVector, count: Int)], u: [[Double]], randomPairs: Int, maxIterations: Int = 100
    ) -> MatchModel {
        var model = initial(u: u)
        model.randomPairs = randomPairs
        let total = Double(patterns.reduce(0) { $0 + $1.count })
        guard total > 0 else { return model }
        for iteration in 1...maxIterations {
            var mCounts = MatchField.allCases.map { [Double](repeating: 0, count: $0.levels.count) }
            var matchMass = 0.0
            for pattern in patterns {
                var likelihoodMatch = model.prior
                var likelihoodOther = 1 - model.prior
                for field in MatchField.allCases {
                    let level = pattern.vector[field]
                    guard level != ComparisonVector.missing else { continue }
                    likelihoodMatch *= model.m[field.rawValue][Int(level)]
                    likelihoodOther *= model.u[field.rawValue][Int(level)]
                }
                let probability = likelihoodMatch / (likelihoodMatch + likelihoodOther)
                let mass = probability * Double(pattern.count)
                matchMass += mass
                for field in MatchField.allCases {
                    let level = pattern.vector[field]
                    if level != ComparisonVector.missing { mCounts[field.rawValue][Int(level)] += mass }
                }
            }
            var change = 0.0
            for field in MatchField.allCases {
                let row = mCounts[field.rawValue]
                let sum = row.reduce(0, +)
                guard sum > 0 else { continue }
                for level in row.indices {
                    let value = min(max(row[level] / sum, floor), 1 - floor)
                    change = max(change, abs(value - model.m[field.rawValue][level]))
                    model.m[field.rawValue][level] = value
                }
            }
            let prior = min(max(matchMass / total, floor), 1 - floor)
            change = max(change, abs(prior - model.prior))
            model.prior = prior
            model.iterations = iteration
            if change < 1e-7 {
                model.converged = true
                break
            }
        }
        return model
    }
}

/// A small, fast, seedable random number generator (SplitMix64), so that sampling is the same
/// on every run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
