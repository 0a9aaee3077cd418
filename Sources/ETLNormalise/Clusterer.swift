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
        count: Int, validID: [Int32], links: [Link], cannotLinks: [(Int32, Int32)]
    ) -> (clusterOf: [Int32], blocked: Blocked) {
        var parent = Array(Int32(0)..<Int32(count))
        var members: [[Int32]] = (0..<count).map { [Int32($0)] }
        var clusterID = validID  // per root: the group's valid ID number, or -1
        var blocked = Blocked()

        // Per record, the records it must not share a resident with, and its links.
        var apart = [[Int32]](repeating: [], count: count)
        for (a, b) in cannotLinks {
            apart[Int(a)].append(b)
            apart[Int(b)].append(a)
        }
        var linked = [[(Int32, Double)]](repeating: [], count: count)
        for link in links {
            linked[Int(link.a)].append((link.b, link.weight))
            linked[Int(link.b)].append((link.a, link.weight))
        }

        func find(_ x: Int32) -> Int32 {
            var x = x
            while parent[Int(x)] != x {
                parent[Int(x)] = parent[Int(parent[Int(x)])]
                x = parent[Int(x)]
            }
            return x
        }

        func canJoin(_ x: Int32, _ y: Int32) -> (Bool, reason: Int) {
            let idX = clusterID[Int(x)]
            let idY = clusterID[Int(y)]
            if idX >= 0, idY >= 0, idX != idY { return (false, 0) }
            let (small, other) = members[Int(x)].count <= members[Int(y)].count ? (x, y) : (y, x)
            for record in members[Int(small)] {
                for partner in apart[Int(record)] where find(partner) == other { return (false, 1) }
            }
            return (true, 0)
        }

        /// Whether group `x` also links, nearly as strongly, to a group other than `y` that
        /// `y` cannot join: then which one `x` belongs to is a guess.
        func isAmbiguous(_ x: Int32, joining y: Int32, weight: Double) -> Bool {
            for record in members[Int(x)] {
                for (partner, other) in linked[Int(record)] where other >= weight - ambiguityMargin {
                    let z = find(partner)
                    guard z != x, z != y else { continue }
                    if !canJoin(z, y).0 { return true }
                }
            }
            return false
        }

        let ordered = links.sorted { ($0.weight, $1.a, $1.b) > ($1.weight, $0.a, $0.b) }
        for link in ordered {
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
            let (keep, absorbed) = members[Int(x)].count >= members[Int(y)].count ? (x, y) : (y, x)
            parent[Int(absorbed)] = keep
            members[Int(keep)].append(contentsOf: members[Int(absorbed)])
            members[Int(absorbed)] = []
            if clusterID[Int(keep)] < 0 { clusterID[Int(keep)] = clusterID[Int(absorbed)] }
        }

        var clusterOf = [Int32](repeating: 0, count: count)
        for index in 0..<count { clusterOf[index] = find(Int32(index)) }
        return (clusterOf, blocked)
    }
}
