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
    public func assign<Clusters: Collection<[Int]>, Previous: RandomAccessCollection<Int64?>>(
        clusters: Clusters, previous: Previous, active: [Int64]
    ) -> Assignment where Previous.Index == Int {
        // Per earlier resident and new cluster, how many of its records the cluster holds:
        // (resident, cluster) pairs sorted, then counted in runs.
        var memberships: [(resident: Int64, cluster: Int)] = []
        for (cluster, records) in clusters.enumerated() {
            for record in records {
                if let resident = previous[record] { memberships.append((resident, cluster)) }
            }
        }
        memberships.sort { ($0.resident, $0.cluster) < ($1.resident, $1.cluster) }
        var parts: [(resident: Int64, cluster: Int, count: Int)] = []
        for membership in memberships {
            if let last = parts.last, last.resident == membership.resident, last.cluster == membership.cluster {
                parts[parts.count - 1].count += 1
            } else {
                parts.append((membership.resident, membership.cluster, 1))
            }
        }
        // Each earlier resident goes with the cluster that holds most of its records (ties: the
        // first cluster); records it left for other clusters were split from it.
        var owned = [[Int64]](repeating: [], count: clusters.count)
        var splits: [(cluster: Int, from: Int64)] = []
        var seen = Set<Int64>()
        var start = 0
        while start < parts.count {
            var end = start + 1
            while end < parts.count, parts[end].resident == parts[start].resident { end += 1 }
            let resident = parts[start].resident
            seen.insert(resident)
            let owner = parts[start..<end].min { ($1.count, $0.cluster) < ($0.count, $1.cluster) }!.cluster
            owned[owner].append(resident)
            for part in parts[start..<end] where part.cluster != owner { splits.append((part.cluster, resident)) }
            start = end
        }
        var assignment = Assignment(kept: [], merged: [], splits: [], retired: [])
        assignment.kept.reserveCapacity(clusters.count)
        for residents in owned {
            let sorted = residents.sorted()
            assignment.kept.append(sorted.first)
            for absorbed in sorted.dropFirst() { assignment.merged.append((absorbed, sorted[0])) }
        }
        assignment.splits = splits.sorted { ($0.cluster, $0.from) < ($1.cluster, $1.from) }
        assignment.merged.sort { ($0.absorbed, $0.into) < ($1.absorbed, $1.into) }
        assignment.retired = active.filter { !seen.contains($0) }.sorted()
        return assignment
    }
}
