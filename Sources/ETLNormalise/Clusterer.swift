/// Groups records into residents from scored links, strongest first, under hard constraints:
///
/// - Two different ID numbers that both pass the check never share a resident.
/// - A cannot-link (a compared pair that looks like two people: different names without a
///   shared ID number, a weight far below zero, or a reviewer's decision) between any two of
///   their records keeps two groups apart, so a chain of links cannot pull them together.
/// - A group whose best link to one resident is nearly as strong as its link to another
///   resident it cannot join is ambiguous, and is left on its own rather than guessed.
struct Clusterer {
    /// How close, in bits, a competing link must be to make a merge ambiguous.
    var ambiguityMargin: Double

    struct Link {
        var a: Int32
        var b: Int32
        var weight: Double
    }

    /// What stopped merges, for the run's statistics.
    struct Blocked {
        var differentValidIDs = 0
        var cannotLink = 0
        var ambiguous = 0
    }

    /// Clusters `count` records. `validID` gives each record's valid ID number (interned) or
    /// -1; `links` are the pairs above the threshold; `cannotLinks` the pairs kept apart.
    func cluster(
        count: Int, validID: consuming [Int32], links: consuming [Link], cannotLinks: consuming [(Int32, Int32)]
    ) -> (clusterOf: [Int32], blocked: Blocked) {
        var parent = Array(Int32(0)..<Int32(count))
        // Each group's records form a ring through `next`, so that two groups merge by
        // swapping two entries; `size` is kept per root.
        var next = Array(Int32(0)..<Int32(count))
        var size = [Int32](repeating: 1, count: count)
        var clusterID = validID  // per root: the group's valid ID number, or -1
        validID = []
        var blocked = Blocked()

        // Per record, the records it must not share a resident with, and its links. Groups only
        // ever merge along links, so a cannot-link between records that no chain of links
        // joins can never stop a merge, and is left out.
        var component = Array(Int32(0)..<Int32(count))
        func root(_ x: Int32) -> Int32 { Clusterer.root(of: x, in: &component) }
        for index in links.indices {
            let x = root(links[index].a)
            let y = root(links[index].b)
            if x != y { component[Int(max(x, y))] = min(x, y) }
        }
        let apart = Adjacency(count: count, pairs: cannotLinks.filter { root($0.0) == root($0.1) })
        cannotLinks = []
        component = []
        // Strongest first; ties in a fixed order.
        links.sort { ($0.weight, $1.a, $1.b) > ($1.weight, $0.a, $0.b) }
        let linked = Adjacency(count: count, links: copy links)

        func find(_ x: Int32) -> Int32 { Clusterer.root(of: x, in: &parent) }

        /// Calls `body` with each record of the group whose root is `root`, until it returns true.
        func anyMember(of root: Int32, _ body: (Int32) -> Bool) -> Bool {
            var record = root
            repeat {
                if body(record) { return true }
                record = next[Int(record)]
            } while record != root
            return false
        }

        func canJoin(_ x: Int32, _ y: Int32) -> (Bool, reason: Int) {
            let idX = clusterID[Int(x)]
            let idY = clusterID[Int(y)]
            if idX >= 0, idY >= 0, idX != idY { return (false, 0) }
            let (small, other) = size[Int(x)] <= size[Int(y)] ? (x, y) : (y, x)
            let kept = anyMember(of: small) { record in
                apart.neighbours(of: record).contains { find(apart.partners[$0]) == other }
            }
            return (!kept, kept ? 1 : 0)
        }

        /// Whether group `x` also links, nearly as strongly, to a group other than `y` that
        /// `y` cannot join: then which one `x` belongs to is a guess.
        func isAmbiguous(_ x: Int32, joining y: Int32, weight: Double) -> Bool {
            anyMember(of: x) { record in
                linked.neighbours(of: record).contains { index in
                    guard linked.weights[index] >= weight - ambiguityMargin else { return false }
                    let z = find(linked.partners[index])
                    return z != x && z != y && !canJoin(z, y).0
                }
            }
        }

        for index in links.indices {
            let link = links[index]
            let x = find(link.a)
            let y = find(link.b)
            guard x != y else { continue }
            let (allowed, reason) = canJoin(x, y)
            guard allowed else {
                if reason == 0 { blocked.differentValidIDs += 1 } else { blocked.cannotLink += 1 }
                continue
            }
            if isAmbiguous(x, joining: y, weight: link.weight) || isAmbiguous(y, joining: x, weight: link.weight) {
                blocked.ambiguous += 1
                continue
            }
            let (keep, absorbed) = size[Int(x)] >= size[Int(y)] ? (x, y) : (y, x)
            parent[Int(absorbed)] = keep
            size[Int(keep)] += size[Int(absorbed)]
            next.swapAt(Int(keep), Int(absorbed))
            if clusterID[Int(keep)] < 0 { clusterID[Int(keep)] = clusterID[Int(absorbed)] }
        }

        var clusterOf = [Int32](repeating: 0, count: count)
        for index in 0..<count { clusterOf[index] = find(Int32(index)) }
        return (clusterOf, blocked)
    }
}

extension Clusterer {
    /// The root of `x` in the union-find forest `parent`, halving the path on the way.
    fileprivate static func root(of x: Int32, in parent: inout [Int32]) -> Int32 {
        var x = x
        while parent[Int(x)] != x {
            parent[Int(x)] = parent[Int(parent[Int(x)])]
            x = parent[Int(x)]
        }
        return x
    }
}

/// Each record's neighbours in a set of pairs, in flat arrays (compressed rows): record `r`'s
/// are `partners[neighbours(of: r)]`, with their `weights` when the pairs are links.
private struct Adjacency {
    private var offsets: [Int32]
    private(set) var partners: [Int32]
    private(set) var weights: [Double] = []

    init(count: Int, pairs: [(Int32, Int32)]) {
        (offsets, partners) = Adjacency.rows(count: count, pairs: pairs.count) { pairs[$0] }
    }

    init(count: Int, links: [Clusterer.Link]) {
        (offsets, partners) = Adjacency.rows(count: count, pairs: links.count) { (links[$0].a, links[$0].b) }
        weights = [Double](repeating: 0, count: partners.count)
        var fill = offsets
        for link in links {
            weights[Int(fill[Int(link.a)])] = link.weight
            fill[Int(link.a)] += 1
            weights[Int(fill[Int(link.b)])] = link.weight
            fill[Int(link.b)] += 1
        }
    }

    /// The rows of `pairs` pairs, pair `i` being `pair(i)`, each pair in both records' rows.
    private static func rows(
        count: Int, pairs: Int, _ pair: (Int) -> (Int32, Int32)
    ) -> ([Int32], [Int32]) {
        var offsets = [Int32](repeating: 0, count: count + 1)
        for index in 0..<pairs {
            let (a, b) = pair(index)
            offsets[Int(a) + 1] += 1
            offsets[Int(b) + 1] += 1
        }
        for index in 0..<count { offsets[index + 1] += offsets[index] }
        var fill = offsets
        var partners = [Int32](repeating: 0, count: pairs * 2)
        for index in 0..<pairs {
            let (a, b) = pair(index)
            partners[Int(fill[Int(a)])] = b
            fill[Int(a)] += 1
            partners[Int(fill[Int(b)])] = a
            fill[Int(b)] += 1
        }
        return (offsets, partners)
    }

    func neighbours(of record: Int32) -> Range<Int> {
        Int(offsets[Int(record)])..<Int(offsets[Int(record) + 1])
    }
}
