import ETLCore

/// A pair of records queued for review, as `etl review list` shows it.
public struct ReviewPair: Sendable, Equatable {
    /// Its number in the queue (stable until the next resolution).
    public var id: Int64
    public var first: (source: String, key: String)
    public var second: (source: String, key: String)
    /// The match weight, in bits, the last resolution gave it.
    public var weight: Double
    public var run: Int64

    public static func == (lhs: ReviewPair, rhs: ReviewPair) -> Bool {
        lhs.id == rhs.id && lhs.first == rhs.first && lhs.second == rhs.second && lhs.weight == rhs.weight
            && lhs.run == rhs.run
    }
}

/// A reviewer's decision on a pair of records.
public struct StoredDecision: Sendable, Equatable {
    public var first: (source: String, key: String)
    public var second: (source: String, key: String)
    public var same: Bool
    public var who: String
    public var at: String

    public static func == (lhs: StoredDecision, rhs: StoredDecision) -> Bool {
        lhs.first == rhs.first && lhs.second == rhs.second && lhs.same == rhs.same && lhs.who == rhs.who
            && lhs.at == rhs.at
    }
}

extension StateStore {
    /// Replaces `pipeline`'s review queue with `pairs` (each ordered), leaving out pairs that
    /// already have a decision.
    public func saveReviewQueue(
        pipeline: String, run runID: Int64,
        pairs: [(first: (source: String, key: String), second: (source: String, key: String), weight: Double)]
    ) throws(StoreError) {
        try database.inStoreTransaction { () throws(StoreError) in
            try database.run("DELETE FROM review_pairs WHERE pipeline = ?", [.text(pipeline)])
            let insert = try database.prepare(
                """
                INSERT OR IGNORE INTO review_pairs (pipeline, source_a, key_a, source_b, key_b, weight, run_id)
                SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
                WHERE NOT EXISTS (SELECT 1 FROM review_decisions d WHERE d.pipeline = ?1 AND d.source_a = ?2
                    AND d.key_a = ?3 AND d.source_b = ?4 AND d.key_b = ?5)
                """)
            for pair in pairs {
                let (a, b) = StateStore.ordered(pair.first, pair.second)
                try insert.bind([
                    .text(pipeline), .text(a.source), .text(a.key), .text(b.source), .text(b.key), .real(pair.weight),
                    .integer(runID),
                ])
                try insert.run()
            }
        }
    }

    /// `pipeline`'s review queue, most uncertain (closest to even odds) first.
    public func reviewQueue(pipeline: String) throws(StoreError) -> [ReviewPair] {
        let select = try database.prepare(
            """
            SELECT id, source_a, key_a, source_b, key_b, weight, run_id FROM review_pairs
            WHERE pipeline = ? ORDER BY abs(weight), id
            """)
        try select.bind([.text(pipeline)])
        var pairs: [ReviewPair] = []
        while try select.step() {
            pairs.append(
                ReviewPair(
                    id: Int64(select.int(at: 0) ?? 0), first: (select.text(at: 1) ?? "", select.text(at: 2) ?? ""),
                    second: (select.text(at: 3) ?? "", select.text(at: 4) ?? ""),
                    weight: { if case .real(let value) = select.value(at: 5) { value } else { 0 } }(),
                    run: Int64(select.int(at: 6) ?? 0)))
        }
        return pairs
    }

    /// Records a decision on a pair (replacing an earlier one) and takes it off the queue.
    public func decide(
        pipeline: String, first: (source: String, key: String), second: (source: String, key: String), same: Bool,
        who: String
    ) throws(StoreError) {
        let (a, b) = StateStore.ordered(first, second)
        try database.inStoreTransaction { () throws(StoreError) in
            try database.run(
                """
                INSERT OR REPLACE INTO review_decisions (pipeline, source_a, key_a, source_b, key_b, decision, who, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(pipeline), .text(a.source), .text(a.key), .text(b.source), .text(b.key),
                    .text(same ? "same" : "different"), .text(who), .text(Timestamp.now()),
                ])
            try database.run(
                "DELETE FROM review_pairs WHERE pipeline = ? AND source_a = ? AND key_a = ? AND source_b = ? AND key_b = ?",
                [.text(pipeline), .text(a.source), .text(a.key), .text(b.source), .text(b.key)])
        }
    }

    /// Every decision on `pipeline`'s pairs.
    public func decisions(pipeline: String) throws(StoreError) -> [StoredDecision] {
        let select = try database.prepare(
            """
            SELECT source_a, key_a, source_b, key_b, decision, who, at FROM review_decisions
            WHERE pipeline = ? ORDER BY at, source_a, key_a
            """)
        try select.bind([.text(pipeline)])
        var decisions: [StoredDecision] = []
        while try select.step() {
            decisions.append(
                StoredDecision(
                    first: (select.text(at: 0) ?? "", select.text(at: 1) ?? ""),
                    second: (select.text(at: 2) ?? "", select.text(at: 3) ?? ""), same: select.text(at: 4) == "same",
                    who: select.text(at: 5) ?? "", at: select.text(at: 6) ?? ""))
        }
        return decisions
    }

    /// A pair in a fixed order, so that (a, b) and (b, a) are one pair.
    static func ordered(
        _ a: (source: String, key: String), _ b: (source: String, key: String)
    ) -> ((source: String, key: String), (source: String, key: String)) {
        (a.source, a.key) <= (b.source, b.key) ? (a, b) : (b, a)
    }
}
