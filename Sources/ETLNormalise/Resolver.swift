import Foundation

/// The settings of resolution, from the pipeline file's `resolve` section.
public struct ResolverSettings: Sendable, Equatable {
    /// The match probability at or above which two records are linked.
    public var threshold: Double = 0.99
    /// A compared pair whose weight is below this (in bits) is a cannot-link.
    public var separationWeight: Double = -8
    /// How close, in bits, a competing link must be to make a merge ambiguous.
    public var ambiguityMargin: Double = 4
    /// The largest block compared in full.
    public var maxBlockSize: Int = 300
    /// In a larger block, how many neighbours each record is compared with.
    public var blockWindow: Int = 30
    /// How many random pairs estimate the model's `u` probabilities.
    public var randomPairs: Int = 1_000_000
    /// How each field of the unified record is chosen.
    public var survivorship = SurvivorshipSettings()
    /// Pairs from this match probability up to the threshold are queued for review.
    public var reviewFrom: Double = 0.5

    public init() {}

    /// `reviewFrom` as a weight in bits.
    public var reviewWeight: Double { log2(reviewFrom / (1 - reviewFrom)) }

    /// The threshold as a weight in bits.
    public var thresholdWeight: Double { log2(threshold / (1 - threshold)) }
}

/// Resolves records into residents: standardises them, forms candidate pairs by blocking,
/// estimates the Fellegi–Sunter model, scores the pairs and clusters them under the hard
/// constraints. The same records give the same residents in whatever order they come.
public struct Resolver: Sendable {
    public var settings: ResolverSettings
    /// Candidate pairs formed and compared at a time, at most (before merging the pairs two
    /// keys formed): about 200 MB while they are compared. A register with more is resolved a
    /// partition at a time, comparing each pair twice (for the model, then to score it)
    /// rather than holding them all.
    var pairsPerPartition = 16_000_000

    public init(settings: ResolverSettings = ResolverSettings()) {
        self.settings = settings
    }

    /// Resolves `inputs` into residents. `decisions` (reviewers' rulings on pairs of inputs)
    /// bind: `same` joins the two records' residents, `different` keeps them apart.
    public func resolve(_ inputs: [ResolverInput], decisions: [ReviewDecision] = []) -> Resolution {
        let order = Resolver.order(of: inputs)
        return resolve(
            order: InputOrder(order), expectedCount: inputs.count, batches: Resolver.batches(of: inputs, in: order)
        ) {
            decisions
        }
    }

    /// Resolves records that `next` gives a batch at a time, already in order of source and
    /// then record key (by UTF-8 bytes), so that only a batch of them is held at a time, not
    /// all. `next(limit)` returns at most `limit` records, and none once all have come.
    /// `decisions` is asked for once all have come; its indices, like the resolution's, count
    /// the records in the order they came. `expectedCount`, when known, is how many will come.
    public func resolve(
        expectedCount: Int = 0, batches next: (Int) throws -> [ResolverInput],
        decisions: () throws -> [ReviewDecision]
    ) rethrows -> Resolution {
        var last: (source: Int, key: String)?
        return try resolve(order: InputOrder(nil), expectedCount: expectedCount) { limit in
            let batch = try next(limit)
            for input in batch {
                if let last {
                    precondition(
                        last.source < input.source
                            || (last.source == input.source && last.key.utf8.lexicographicallyPrecedes(input.key.utf8)),
                        "resolver input out of (source, key) order")
                }
                last = (input.source, input.key)
            }
            return batch
        } decisions: {
            try decisions()
        }
    }

    private func resolve(
        order: InputOrder, expectedCount: Int = 0, batches next: (Int) throws -> [ResolverInput],
        decisions: () throws -> [ReviewDecision]
    ) rethrows -> Resolution {
        var run = try self.run(order: order, expectedCount: expectedCount, batches: next, decisions: decisions)
        // Residents in order of their first record, each with its records in order.
        let clusters = ResidentClusters(clusterOf: run.clusterOf, order: run.order)
        run.clock.lap("residents")
        let n = Double(run.records.count)
        let statistics = ResolutionStatistics(
            records: run.records.count, candidatePairs: run.candidatePairs,
            reductionRatio: run.records.count < 2 ? 1 : 1 - Double(run.candidatePairs) / (n * (n - 1) / 2),
            cappedBlocks: run.cappedBlocks,
            pairsPerKey: Dictionary(
                uniqueKeysWithValues: BlockingKey.allCases.map { ($0.name, run.pairsPerKey[$0.rawValue]) }),
            links: run.links, residents: clusters.count,
            keptApartByValidIDs: run.blocked.differentValidIDs, keptApartByCannotLinks: run.blocked.cannotLink,
            leftAmbiguous: run.blocked.ambiguous, weightHistogram: run.histogram.counts, seconds: run.clock.laps)
        let review = run.uncertain.map { (run.order[Int($0.a)], run.order[Int($0.b)], $0.weight) }
        let survivor = Survivor(settings: settings.survivorship, records: run.records, inputIndex: run.order)
        return Resolution(
            clusters: clusters, golden: GoldenRecords(survivor: survivor, clusters: clusters), model: run.model,
            statistics: statistics, review: review)
    }

    /// Resolves `inputs` and says, for each of `pairs` (indices into `inputs`), how the two
    /// records fared: whether blocking compared them and by which keys, their comparison
    /// levels and weight, and whether they ended up as one resident. For the quality harness
    /// and for explanations.
    public func diagnose(
        _ inputs: [ResolverInput], pairs wanted: [(Int, Int)], decisions: [ReviewDecision] = []
    ) -> [PairDiagnosis] {
        let order = Resolver.order(of: inputs)
        let run = self.run(
            order: InputOrder(order), keepingPairs: true, batches: Resolver.batches(of: inputs, in: order)
        ) {
            decisions
        }
        var position = [Int](repeating: 0, count: inputs.count)
        for (index, input) in order.enumerated() { position[input] = index }
        let comparer = PairComparer(records: run.records)
        return wanted.map { x, y in
            let a = min(position[x], position[y])
            let b = max(position[x], position[y])
            let (vector, conflict) = comparer.compare(a, b)
            var keys: UInt8 = 0
            if let pairs = run.pairs, let found = pairs.find(Int32(a), Int32(b)) { keys = pairs.keys[found] }
            var levels: [MatchField: Int] = [:]
            var fields: [PairDiagnosis.FieldWeight] = []
            for field in MatchField.allCases where vector[field] != ComparisonVector.missing {
                let level = Int(vector[field])
                levels[field] = level
                let base = run.model.weight(field, level: level)
                fields.append(
                    PairDiagnosis.FieldWeight(
                        field: field, level: level, m: run.model.m[field.rawValue][level],
                        u: run.model.u[field.rawValue][level], weight: base,
                        termFrequencyAdjustment: run.scorer.weight(field, level, a) - base))
            }
            let eligible = PairScorer.isEligible(vector)
            return PairDiagnosis(
                compared: keys != 0, blockingKeys: BlockingKey.allCases.filter { keys & $0.bit != 0 }, levels: levels,
                weight: run.scorer.weight(vector, a, b), hasEvidenceOfIdentity: eligible,
                differentValidIDs: conflict, sameResident: run.clusterOf[a] == run.clusterOf[b], fields: fields,
                priorWeight: run.model.priorWeight, thresholdWeight: settings.thresholdWeight,
                sharesValidID: eligible && PairScorer.sharesValidID(vector, a, b, run.records)
                    && (vector[.name] != 0 || vector[.birthDate] != 0))
        }
    }

    /// What one resolution computed, up to the clusters.
    private struct Run {
        var clock: PhaseClock
        var order: InputOrder
        var records: PreparedRecords
        var candidatePairs: Int
        var cappedBlocks: Int
        var pairsPerKey: [Int]
        /// All candidate pairs, when they were formed at once and kept.
        var pairs: CandidatePairs?
        var model: MatchModel
        var scorer: PairScorer
        var histogram: WeightHistogram
        var links: Int
        var clusterOf: [Int32]
        var blocked: Clusterer.Blocked
        /// Pairs in the review band (positions in `records`), with their weights.
        var uncertain: [Clusterer.Link]
    }

    /// The inputs' indices in (source, key) order: the order resolution works in, so that
    /// nothing depends on the order the records came in.
    private static func order(of inputs: [ResolverInput]) -> [Int] {
        inputs.indices.sorted { x, y in
            let a = inputs[x]
            let b = inputs[y]
            return a.source != b.source ? a.source < b.source : a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
        }
    }

    /// `inputs` in `order`, handed out a batch at a time as `PreparedRecords` asks for them.
    private static func batches(of inputs: [ResolverInput], in order: [Int]) -> (Int) -> [ResolverInput] {
        var start = 0
        return { limit in
            let end = min(order.count, start + limit)
            defer { start = end }
            return order[start..<end].map { inputs[$0] }
        }
    }

    private func run(
        order: InputOrder, keepingPairs: Bool = false, expectedCount: Int = 0,
        batches next: (Int) throws -> [ResolverInput], decisions: () throws -> [ReviewDecision]
    ) rethrows -> Run {
        var clock = PhaseClock()
        let records = try PreparedRecords(batches: next, expectedCount: expectedCount)
        clock.lap("standardise")
        var blocks = Blocker(maxBlockSize: settings.maxBlockSize, window: settings.blockWindow).blocks(records)
        let (partitions, pairsPerKey) = blocks.partitions(
            records, budget: keepingPairs ? .max : pairsPerPartition)
        clock.lap("block")
        let comparer = PairComparer(records: records)
        var patterns = PairPatterns()
        // With one partition, its pairs and comparisons are kept for scoring.
        var kept: (pairs: CandidatePairs, vectors: [ComparisonVector], conflicts: [Bool])?
        for range in partitions {
            let pairs = blocks.pairs(lowIn: range, records)
            let (vectors, conflicts) = Resolver.compare(pairs, comparer)
            patterns.add(vectors, keys: pairs.keys)
            if partitions.count == 1 { kept = (pairs, vectors, conflicts) }
        }
        clock.lap("compare")
        let (u, randomPairs) = MatchModel.estimateU(
            records: records, comparer: comparer, pairs: min(settings.randomPairs, records.count * 20))
        let n = Double(records.count)
        let model = MatchModel.estimate(patterns: patterns, u: u, randomPairs: randomPairs, allPairs: n * (n - 1) / 2)
        clock.lap("estimate")
        let scorer = PairScorer(model: model, records: records)
        var links: [Clusterer.Link] = []
        var cannotLinks: [(Int32, Int32)] = []
        var histogram = WeightHistogram()
        var uncertain: [Clusterer.Link] = []
        let thresholdWeight = settings.thresholdWeight
        let reviewWeight = settings.reviewWeight
        for range in partitions {
            let pairs: CandidatePairs
            let vectors: [ComparisonVector]
            let conflicts: [Bool]
            if let kept {
                (pairs, vectors, conflicts) = kept
            } else {
                pairs = blocks.pairs(lowIn: range, records)
                (vectors, conflicts) = Resolver.compare(pairs, comparer)
            }
            for index in 0..<pairs.count {
                let a = pairs.first[index]
                let b = pairs.second[index]
                var weight = scorer.weight(vectors[index], Int(a), Int(b))
                histogram.add(weight)
                if conflicts[index] { continue }  // the clusterer keeps different valid IDs apart
                let eligible = PairScorer.isEligible(vectors[index])
                // A pair that shares only a name (the last-resort key) is not kept apart for its
                // weight: the two have nothing else in common to disagree on reliably.
                let nameAlone = pairs.keys[index] == BlockingKey.pinyin.bit
                // The same valid ID number is one person, whatever the model weighs it at (a
                // small register teaches the model little), unless name and birth date both
                // disagree.
                if eligible, PairScorer.sharesValidID(vectors[index], Int(a), Int(b), records),
                    vectors[index][.name] != 0 || vectors[index][.birthDate] != 0
                {
                    weight = max(weight, thresholdWeight)
                }
                if eligible, weight >= thresholdWeight {
                    links.append(Clusterer.Link(a: a, b: b, weight: weight))
                } else if !eligible || (weight < settings.separationWeight && !nameAlone) {
                    cannotLinks.append((a, b))
                }
                if eligible, weight >= reviewWeight, weight < thresholdWeight {
                    uncertain.append(Clusterer.Link(a: a, b: b, weight: weight))
                }
            }
        }
        // The comparisons are no longer needed; the pairs only to diagnose.
        let keptPairs = keepingPairs ? kept?.pairs : nil
        kept = nil
        // Reviewers' decisions bind: a "same" pair links before any other, a "different" one
        // is kept apart like two different valid ID numbers.
        let decisions = try decisions()
        if !decisions.isEmpty {
            var position = [Int32](repeating: 0, count: records.count)
            for index in 0..<records.count { position[order[index]] = Int32(index) }
            for decision in decisions {
                let a = position[decision.first]
                let b = position[decision.second]
                if decision.same {
                    links.append(Clusterer.Link(a: min(a, b), b: max(a, b), weight: ReviewDecision.weight))
                } else {
                    cannotLinks.append((min(a, b), max(a, b)))
                }
            }
        }
        clock.lap("score")
        // The blocks, links and constraints go to the clusterer, and are not held beside it.
        let cappedBlocks = blocks.cappedBlocks
        blocks.perKey = []
        let linkCount = links.count
        let validID = (0..<records.count).map { records.idStatus[$0] == .valid ? records.idNumber[$0] : -1 }
        let (clusterOf, blocked) = Clusterer(ambiguityMargin: settings.ambiguityMargin).cluster(
            count: records.count, validID: consume validID, links: consume links, cannotLinks: consume cannotLinks)
        clock.lap("cluster")
        return Run(
            clock: clock, order: order, records: records, candidatePairs: patterns.count,
            cappedBlocks: cappedBlocks, pairsPerKey: pairsPerKey, pairs: keptPairs, model: model, scorer: scorer,
            histogram: histogram, links: linkCount, clusterOf: clusterOf, blocked: blocked, uncertain: uncertain)
    }
}

/// Where each prepared record came from among the inputs: a permutation, or the records in
/// the order they came.
struct InputOrder: Sendable {
    private let permutation: [Int]?

    init(_ permutation: [Int]?) {
        self.permutation = permutation
    }

    /// The input index of prepared record `position`.
    subscript(position: Int) -> Int { permutation?[position] ?? position }
}

extension Resolver {
    /// Compares each pair, splitting the work across the cores: each pair's comparison
    /// vector, and whether the two hold different valid ID numbers.
    fileprivate static func compare(
        _ pairs: CandidatePairs, _ comparer: PairComparer
    ) -> ([ComparisonVector], [Bool]) {
        var vectors = [ComparisonVector](repeating: ComparisonVector(), count: pairs.count)
        var conflicts = [Bool](repeating: false, count: pairs.count)
        let chunks = pairs.count < 100_000 ? 1 : max(1, min(ProcessInfo.processInfo.activeProcessorCount, 16))
        vectors.withUnsafeMutableBufferPointer { vectorBuffer in
            conflicts.withUnsafeMutableBufferPointer { conflictBuffer in
                nonisolated(unsafe) let vectorOutput = vectorBuffer
                nonisolated(unsafe) let conflictOutput = conflictBuffer
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let range = (pairs.count * chunk / chunks)..<(pairs.count * (chunk + 1) / chunks)
                    for index in range {
                        let (vector, conflict) = comparer.compare(Int(pairs.first[index]), Int(pairs.second[index]))
                        vectorOutput[index] = vector
                        conflictOutput[index] = conflict
                    }
                }
            }
        }
        return (vectors, conflicts)
    }
}

/// A reviewer's ruling on a pair of records (indices into the resolver's inputs).
public struct ReviewDecision: Sendable, Equatable {
    public var first: Int
    public var second: Int
    /// `true`: one resident; `false`: never one resident.
    public var same: Bool

    public init(first: Int, second: Int, same: Bool) {
        self.first = first
        self.second = second
        self.same = same
    }

    /// The weight a "same" decision links with: above any the model gives.
    static let weight = 1e9
}

/// How one pair of records fared in a resolution.
public struct PairDiagnosis: Sendable, Equatable {
    /// Whether blocking made them a candidate pair, and through which keys.
    public var compared: Bool
    public var blockingKeys: [BlockingKey]
    /// The comparison level per field (absent where a record lacks the field).
    public var levels: [MatchField: Int]
    /// The match weight in bits, the prior included.
    public var weight: Double
    /// Whether the pair has the evidence of identity a link needs.
    public var hasEvidenceOfIdentity: Bool
    /// Whether they hold two different valid ID numbers.
    public var differentValidIDs: Bool
    /// Whether they ended up as one resident.
    public var sameResident: Bool
    /// Per compared field, its level and weight.
    public var fields: [FieldWeight] = []
    /// The prior's weight and the threshold's, in bits.
    public var priorWeight = 0.0
    public var thresholdWeight = 0.0
    /// Whether they share a valid ID number, which links them whatever the weight (unless
    /// name and birth date both disagree).
    public var sharesValidID = false

    /// Whether the pair is a link (at or above the threshold, or joined by a shared valid ID
    /// number) and has the evidence of identity a link needs.
    public var isLink: Bool {
        hasEvidenceOfIdentity && !differentValidIDs && (weight >= thresholdWeight || sharesValidID)
    }

    /// One field's part in a pair's weight.
    public struct FieldWeight: Sendable, Equatable {
        public var field: MatchField
        public var level: Int
        public var m: Double
        public var u: Double
        /// log2(m / u), in bits.
        public var weight: Double
        /// How the weight of an exact agreement moved for how common the value is.
        public var termFrequencyAdjustment: Double
    }

    /// The match probability the weight stands for.
    public var probability: Double { 1 / (1 + pow(2, -weight)) }
}

/// What resolution produced: residents as groups of input indices, and the model.
public struct Resolution: Sendable {
    /// Each resident's records, as indices into the inputs in (source, key) order; residents
    /// ordered by their first record.
    public var clusters: ResidentClusters
    /// Each resident's unified record, in the order of `clusters`, chosen when asked for.
    public var golden: GoldenRecords
    public var model: MatchModel
    public var statistics: ResolutionStatistics
    /// Pairs (input indices) whose match probability is in the review band, with their weights.
    public var review: [(Int, Int, Double)] = []
}

/// Residents as lists of input indices, held flat: resident `i`'s records are
/// `members[starts[i]..<starts[i + 1]]` (positions in (source, key) order).
public struct ResidentClusters: RandomAccessCollection, Sendable {
    private let members: [Int32]
    private let starts: [Int32]
    private let order: InputOrder

    /// Groups the records by their cluster root (`clusterOf[position]`), residents in order of
    /// their first record.
    init(clusterOf: [Int32], order: InputOrder) {
        var residentOfRoot = [Int32](repeating: -1, count: clusterOf.count)
        var residentOf = [Int32](repeating: 0, count: clusterOf.count)
        var residents: Int32 = 0
        for (position, root) in clusterOf.enumerated() {
            if residentOfRoot[Int(root)] < 0 {
                residentOfRoot[Int(root)] = residents
                residents += 1
            }
            residentOf[position] = residentOfRoot[Int(root)]
        }
        var starts = [Int32](repeating: 0, count: Int(residents) + 1)
        for resident in residentOf { starts[Int(resident) + 1] += 1 }
        for index in 0..<Int(residents) { starts[index + 1] += starts[index] }
        var fill = starts
        var members = [Int32](repeating: 0, count: clusterOf.count)
        for (position, resident) in residentOf.enumerated() {
            members[Int(fill[Int(resident)])] = Int32(position)
            fill[Int(resident)] += 1
        }
        self.members = members
        self.starts = starts
        self.order = order
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { starts.count - 1 }

    /// Resident `index`'s records, as input indices.
    public subscript(index: Int) -> [Int] {
        positions(index).map { order[$0] }
    }

    /// The number of resident `index`'s records.
    public func recordCount(of index: Int) -> Int {
        Int(starts[index + 1] - starts[index])
    }

    /// Whether every record of resident `index` (an input index) satisfies `predicate`,
    /// without gathering them.
    public func allRecords(of index: Int, satisfy predicate: (Int) -> Bool) -> Bool {
        for member in Int(starts[index])..<Int(starts[index + 1]) where !predicate(order[Int(members[member])]) {
            return false
        }
        return true
    }

    /// Resident `index`'s records, as positions in (source, key) order.
    func positions(_ index: Int) -> [Int] {
        (Int(starts[index])..<Int(starts[index + 1])).map { Int(members[$0]) }
    }
}

/// Each resident's unified record, chosen by the survivorship rules when asked for, so that
/// they are never all held at once.
public struct GoldenRecords: RandomAccessCollection, Sendable {
    let survivor: Survivor
    let clusters: ResidentClusters

    public var startIndex: Int { 0 }
    public var endIndex: Int { clusters.count }

    public subscript(index: Int) -> GoldenRecord {
        survivor.golden(clusters.positions(index))
    }
}

/// Figures about one resolution.
public struct ResolutionStatistics: Sendable, Equatable {
    public var records: Int
    /// Pairs compared after blocking.
    public var candidatePairs: Int
    /// The share of all possible pairs that blocking spared: 1 − candidate / (n(n−1)/2).
    public var reductionRatio: Double
    /// Blocks too large to compare in full.
    public var cappedBlocks: Int
    /// Per blocking key (by name), the pairs it formed; a pair two keys formed counts for both.
    public var pairsPerKey: [String: Int]
    /// Pairs scored at or above the threshold.
    public var links: Int
    public var residents: Int
    /// Merges the constraints refused.
    public var keptApartByValidIDs: Int
    public var keptApartByCannotLinks: Int
    public var leftAmbiguous: Int
    /// Candidate pairs per whole-bit weight, from −40 to +40 (clamped).
    public var weightHistogram: [Int]
    /// Seconds per phase.
    public var seconds: [(phase: String, seconds: Double)]

    public static func == (lhs: ResolutionStatistics, rhs: ResolutionStatistics) -> Bool {
        lhs.records == rhs.records && lhs.candidatePairs == rhs.candidatePairs && lhs.links == rhs.links
            && lhs.residents == rhs.residents
    }
}

/// Candidate pairs counted per whole-bit weight.
struct WeightHistogram {
    static let range = -40...40
    var counts = [Int](repeating: 0, count: range.count)

    mutating func add(_ weight: Double) {
        let bucket = min(max(Int(weight.rounded(.down)), Self.range.lowerBound), Self.range.upperBound)
        counts[bucket - Self.range.lowerBound] += 1
    }
}

/// Wall-clock seconds per phase.
struct PhaseClock {
    private var last = Date()
    private(set) var laps: [(phase: String, seconds: Double)] = []

    mutating func lap(_ phase: String) {
        let now = Date()
        laps.append((phase, now.timeIntervalSince(last)))
        last = now
    }
}
