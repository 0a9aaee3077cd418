import Foundation

/// A Fellegi–Sunter match model: for each field and comparison level, the probability `m` of
/// seeing that level when two records are the same resident and `u` when they are not, and
/// the probability that two random records are the same resident (`prior`). Estimated from
/// the data alone (`u` from random pairs, `m` and the number of matches by expectation
/// maximisation over the candidate pairs), and saved with each run.
public struct MatchModel: Codable, Sendable, Equatable {
    /// Per field (in `MatchField` order), per level (lowest first).
    public var m: [[Double]]
    public var u: [[Double]]
    /// The probability that two records drawn at random are the same resident.
    public var prior: Double
    /// The share of candidate pairs EM estimated to be matches.
    public var candidatePrior: Double
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
        return MatchModel(
            m: m, u: u, prior: 0.1, candidatePrior: 0.1, iterations: 0, converged: false, randomPairs: 0)
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
            // A pair that shares a valid ID number is one person, not a random non-match:
            // counting it would inflate `u` (in a small register, by a lot).
            if PairScorer.sharesValidID(vector, a, b, records) { continue }
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

    /// One EM training session: the candidate pairs one blocking key brought together, with the
    /// fields that key is made of left out (they agree by construction, so they say nothing).
    struct Session {
        var blockedOn: BlockingKey
        var excluded: Set<MatchField>
    }

    /// The sessions `m` is trained in, as Splink does it: pairs that share an ID number teach
    /// what the other fields look like for one person; pairs that share a name and birth date
    /// teach what the ID number, phone and address look like. Each field's `m` comes from the
    /// sessions that leave it free, averaged.
    static let sessions = [
        Session(blockedOn: .idNumber, excluded: [.idNumber]),
        Session(blockedOn: .pinyinAndBirthDate, excluded: [.name, .birthDate]),
    ]

    /// Estimates the model from the candidate pairs: `m` by EM in the training sessions, then
    /// the share of matches among all candidate pairs by EM with `m` fixed; `u` stays the
    /// random pairs' (non-matches across the whole register, unlike the candidate pairs'
    /// non-matches, which blocking chose for agreeing on something). The expected number of
    /// matches becomes the prior over all `allPairs` pairs.
    static func estimate(
        patterns candidates: PairPatterns, u: [[Double]], randomPairs: Int, allPairs: Double
    ) -> MatchModel {
        var model = initial(u: u)
        model.randomPairs = randomPairs
        var sums = MatchField.allCases.map { [Double](repeating: 0, count: $0.levels.count) }
        var sessionsPerField = [Int](repeating: 0, count: MatchField.allCases.count)
        var iterations = 0
        var converged = true
        for (number, session) in sessions.enumerated() {
            let counts = candidates.sessions[number]
            guard !counts.isEmpty else { continue }
            let patterns = counts.sorted { $0.key < $1.key }.map { (vector: $0.key, count: $0.value) }
            let result = runEM(patterns: patterns, model: initial(u: u), u: u, fixM: false)
            iterations += result.iterations
            converged = converged && result.converged
            for field in MatchField.allCases where !session.excluded.contains(field) {
                for level in field.levels.indices { sums[field.rawValue][level] += result.m[field.rawValue][level] }
                sessionsPerField[field.rawValue] += 1
            }
        }
        for field in MatchField.allCases where sessionsPerField[field.rawValue] > 0 {
            model.m[field.rawValue] = sums[field.rawValue].map { $0 / Double(sessionsPerField[field.rawValue]) }
        }
        let patterns = candidates.all.sorted { $0.key < $1.key }.map { (vector: $0.key, count: $0.value) }
        let result = runEM(patterns: patterns, model: model, u: u, fixM: true)
        model.iterations = iterations + result.iterations
        model.converged = converged && result.converged
        model.candidatePrior = result.prior
        let total = Double(candidates.count)
        model.prior = min(max(result.prior * total / max(allPairs, 1), floor * floor), 1 - floor)
        return model
    }

    /// Expectation maximisation over distinct comparison vectors with their counts: the
    /// candidate pairs' `u` and match share always, `m` unless `fixM`.
    private static func runEM(
        patterns: [(vector: ComparisonVector, count: Int)], model start: MatchModel, u: [[Double]], fixM: Bool,
        maxIterations: Int = 200
    ) -> (m: [[Double]], prior: Double, iterations: Int, converged: Bool) {
        var m = start.m
        var candidateU = u
        var prior = 0.5
        let total = Double(patterns.reduce(0) { $0 + $1.count })
        guard total > 0 else { return (m, prior, 0, true) }
        for iteration in 1...maxIterations {
            var mCounts = MatchField.allCases.map { [Double](repeating: 0, count: $0.levels.count) }
            var uCounts = mCounts
            var matchMass = 0.0
            for pattern in patterns {
                var likelihoodMatch = prior
                var likelihoodOther = 1 - prior
                for field in MatchField.allCases {
                    let level = pattern.vector[field]
                    guard level != ComparisonVector.missing else { continue }
                    likelihoodMatch *= m[field.rawValue][Int(level)]
                    likelihoodOther *= candidateU[field.rawValue][Int(level)]
                }
                let probability = likelihoodMatch / (likelihoodMatch + likelihoodOther)
                let mass = probability * Double(pattern.count)
                matchMass += mass
                for field in MatchField.allCases {
                    let level = pattern.vector[field]
                    guard level != ComparisonVector.missing else { continue }
                    mCounts[field.rawValue][Int(level)] += mass
                    uCounts[field.rawValue][Int(level)] += Double(pattern.count) - mass
                }
            }
            var change = 0.0
            func update(_ target: inout [[Double]], from counts: [[Double]]) {
                for field in MatchField.allCases {
                    let row = counts[field.rawValue]
                    let sum = row.reduce(0, +)
                    guard sum > 0 else { continue }
                    for level in row.indices {
                        let value = min(max(row[level] / sum, floor), 1 - floor)
                        change = max(change, abs(value - target[field.rawValue][level]))
                        target[field.rawValue][level] = value
                    }
                }
            }
            if !fixM { update(&m, from: mCounts) }
            update(&candidateU, from: uCounts)
            let newPrior = min(max(matchMass / total, floor), 1 - floor)
            change = max(change, abs(newPrior - prior))
            prior = newPrior
            if change < 1e-7 { return (m, prior, iteration, true) }
        }
        return (m, prior, maxIterations, false)
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

/// What EM needs of the candidate pairs: their distinct comparison vectors with counts, in
/// each training session (with the session's key fields left out) and overall. Gathered a
/// partition of pairs at a time.
struct PairPatterns {
    var sessions: [[ComparisonVector: Int]] = MatchModel.sessions.map { _ in [:] }
    var all: [ComparisonVector: Int] = [:]
    /// The pairs counted.
    var count = 0

    mutating func add(_ vectors: [ComparisonVector], keys: [UInt8]) {
        for (index, vector) in vectors.enumerated() {
            all[vector, default: 0] += 1
            for (number, session) in MatchModel.sessions.enumerated() where keys[index] & session.blockedOn.bit != 0 {
                var masked = vector
                for field in session.excluded { masked[field] = ComparisonVector.missing }
                sessions[number][masked, default: 0] += 1
            }
        }
        count += vectors.count
    }
}
