/// Carries resident IDs from one run to the next, so that a resident keeps its ID night after
/// night:
///
/// - A resident whose records come back keeps its ID.
/// - When residents merge, the oldest ID survives and the others are recorded as merged into it.
/// - When a resident splits, the part with most of its records keeps the ID; the other parts
///   get new IDs and are recorded as split from it.
/// - A resident none of whose records is left is retired; its ID is never given out again.
///
/// Resident IDs are numbers from the store's sequence (older residents have smaller numbers);
/// new residents get theirs when the store saves them.
public struct ResidentIDAssigner: Sendable {
    public init() {}

    /// What happened to resident IDs in a run.
    public struct Assignment: Sendable, Equatable {
        /// Per cluster, the ID it keeps, or `nil` for a new resident.
        public var kept: [Int64?]
        /// Earlier residents absorbed into another: (absorbed, survivor).
        public var merged: [(absorbed: Int64, into: Int64)]
        /// Records split off an earlier resident into another cluster: (cluster, the earlier
        /// resident). The cluster is a new resident, or one that also kept its own ID.
        public var splits: [(cluster: Int, from: Int64)]
        /// Earlier residents with no records left.
        public var retired: [Int64]

        public static func == (lhs: Assignment, rhs: Assignment) -> Bool {
            lhs.kept == rhs.kept && lhs.merged.elementsEqual(rhs.merged, by: { $0 == $1 })
                && lhs.splits.elementsEqual(rhs.splits, by: { $0 == $1 }) && lhs.retired == rhs.retired
        }
    }

    /// Assigns IDs to `clusters` (lists of record indices). `previous[record]` is the resident
    /// the record belonged to after the last run; `active` lists the residents active then.
    public func assign(clusters: [[Int]], previous: [Int64?], active: [Int64]) -> Assignment {
        // Per earlier resident, how many of its records each new cluster holds.
        var parts: [Int64: [Int: Int]] = [:]
        for (cluster, records) in clusters.enumerated() {
            for record in records {
                if let resident = previous[record] { parts[resident, default: [:]][cluster, default: 0] += 1 }
            }
        }
        // Each earlier resident goes with the cluster that holds most of its records (ties: the
        // first cluster).
        var owned = [[Int64]](repeating: [], count: clusters.count)
        var owner: [Int64: Int] = [:]
        for (resident, counts) in parts {
            let cluster = counts.min { ($1.value, $0.key) < ($0.value, $1.key) }!.key
            owner[resident] = cluster
            owned[cluster].append(resident)
        }
        var assignment = Assignment(kept: [], merged: [], splits: [], retired: [])
        for residents in owned {
            let sorted = residents.sorted()
            assignment.kept.append(sorted.first)
            for absorbed in sorted.dropFirst() { assignment.merged.append((absorbed, sorted[0])) }
        }
        for (cluster, records) in clusters.enumerated() {
            // Records that left an earlier resident for another cluster were split from it.
            let sources = Set(records.compactMap { previous[$0] }).sorted()
            for resident in sources where owner[resident] != cluster {
                assignment.splits.append((cluster, resident))
            }
        }
        assignment.splits.sort { ($0.cluster, $0.from) < ($1.cluster, $1.from) }
        assignment.merged.sort { ($0.absorbed, $0.into) < ($1.absorbed, $1.into) }
        assignment.retired = active.filter { parts[$0] == nil }.sorted()
        return assignment
    }
}
