import ETLCore
import ETLStore

/// The review queue: pairs whose match probability is in the uncertain band, and reviewers'
/// decisions, which bind every later run.
public struct Review {
    public let pipeline: Pipeline
    public let stateFolder: String

    public init(pipeline: Pipeline, stateFolder: String) {
        self.pipeline = pipeline
        self.stateFolder = stateFolder
    }

    /// One queued pair with its explanation.
    public struct Item: Sendable {
        public var id: Int64
        public var pair: Explainer.PairView
    }

    /// The queue, most uncertain first, each pair explained (values masked unless `reveal`).
    public func list(reveal: Bool) throws(PipelineError) -> [Item] {
        let queue = try read { store throws(StoreError) in try store.reviewQueue(pipeline: pipeline.name) }
        let views = try Explainer(pipeline: pipeline, stateFolder: stateFolder).explain(
            pairs: queue.map { ($0.first.source + ":" + $0.first.key, $0.second.source + ":" + $0.second.key) },
            reveal: reveal, audit: "review --reveal")
        return zip(queue, views).map { Item(id: $0.id, pair: $1) }
    }

    /// Records a decision on queued pair `id`, or on two records given as `source:key`.
    public func decide(pair: String, other: String? = nil, same: Bool) throws(PipelineError) {
        let first: (source: String, key: String)
        let second: (source: String, key: String)
        if let other {
            first = try Review.place(pair)
            second = try Review.place(other)
        } else {
            guard let id = Int64(pair),
                let queued = try read({ store throws(StoreError) in try store.reviewQueue(pipeline: pipeline.name) })
                    .first(where: { $0.id == id })
            else {
                throw .unknown(
                    what: "no pair \(pair) in the review queue",
                    hint:
                        "give a pair's number as 'etl review list \(pipeline.name)' shows it, or two records as source:key"
                )
            }
            first = queued.first
            second = queued.second
        }
        try read { store throws(StoreError) in
            try store.decide(
                pipeline: pipeline.name, first: first, second: second, same: same, who: StateStore.currentUser)
        }
    }

    /// Every decision made.
    public func decisions() throws(PipelineError) -> [StoredDecision] {
        try read { store throws(StoreError) in try store.decisions(pipeline: pipeline.name) }
    }

    /// `source:key` split at its first colon (source names hold none).
    static func place(_ text: String) throws(PipelineError) -> (source: String, key: String) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw .unknown(what: "'\(text)' is not a record", hint: "name a record as source:key")
        }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    private func read<T>(_ body: (StateStore) throws(StoreError) -> T) throws(PipelineError) -> T {
        guard let value = try RunHistory.reading(stateFolder, body) else {
            throw .unknown(
                what: "no state store in \(stateFolder)",
                hint: "run 'etl run \(pipeline.name)' first, or pass --state DIR")
        }
        return value
    }
}
