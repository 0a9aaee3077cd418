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
        // Each earlier resident goes with the cluster that holds most of its records (ties: the
        // first cluster); records it left for other clusters were split from it. The runs of
        // one resident are walked in cluster order, counting each cluster's share.
        var owners: [(cluster: Int, resident: Int64)] = []
        var splits: [(cluster: Int, from: Int64)] = []
        var seen: [Int64] = []  // ascending, as the memberships are
        var clustersOfResident: [Int] = []
        var index = 0
        while index < memberships.count {
            let resident = memberships[index].resident
            var owner = -1
            var most = 0
            clustersOfResident.removeAll(keepingCapacity: true)
            while index < memberships.count, memberships[index].resident == resident {
                let cluster = memberships[index].cluster
                var next = index + 1
                while next < memberships.count, memberships[next].resident == resident,
                    memberships[next].cluster == cluster
                {
                    next += 1
                }
                if next - index > most {
                    most = next - index
                    owner = cluster
                }
                clustersOfResident.append(cluster)
                index = next
            }
            owners.append((owner, resident))
            for cluster in clustersOfResident where cluster != owner { splits.append((cluster, resident)) }
            seen.append(resident)
        }
        // A cluster that several earlier residents went with keeps the oldest (smallest) ID;
        // the others merged into it.
        owners.sort { ($0.cluster, $0.resident) < ($1.cluster, $1.resident) }
        var assignment = Assignment(
            kept: Array(repeating: nil, count: clusters.count), merged: [], splits: [], retired: [])
        var first = 0
        while first < owners.count {
            let (cluster, oldest) = owners[first]
            assignment.kept[cluster] = oldest
            var next = first + 1
            while next < owners.count, owners[next].cluster == cluster {
                assignment.merged.append((owners[next].resident, oldest))
                next += 1
            }
            first = next
        }
        assignment.splits = splits.sorted { ($0.cluster, $0.from) < ($1.cluster, $1.from) }
        assignment.merged.sort { ($0.absorbed, $0.into) < ($1.absorbed, $1.into) }
        // Active residents none of whose records is left, by a walk of both ascending lists.
        var position = 0
        for resident in active.sorted() {
            while position < seen.count, seen[position] < resident { position += 1 }
            if position == seen.count || seen[position] != resident { assignment.retired.append(resident) }
        }
        return assignment
    }
}
