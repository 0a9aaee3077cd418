extension StateStore {
    /// The keys of source `sourceID`'s records staged in run `run`, in key order through the
    /// record-key index; none when `run` is `nil`.
    func stagedKeys(source sourceID: Int64, run: Int64?) throws(StoreError) -> Statement {
        let select = try database.prepare(
            "SELECT record_key FROM staged_records WHERE source_id = ? AND run_id = ? ORDER BY record_key")
        try select.bind([.integer(sourceID), run.map { .integer($0) } ?? .null])
        return select
    }

    /// The links of `pipeline` whose records are no longer current: per source, its links and
    /// its current records are read in key order and merged. A source with no current run
    /// (taken out of the pipeline) has no current records.
    func linksOfGoneRecords(pipeline: String) throws(StoreError) -> [(source: Int64, key: String)] {
        let sources = try database.prepare("SELECT id, current_run_id FROM sources WHERE pipeline = ?")
        try sources.bind([.text(pipeline)])
        var current: [(id: Int64, run: Int64?)] = []
        while try sources.step() {
            current.append((Int64(sources.int(at: 0) ?? 0), sources.int(at: 1).map(Int64.init)))
        }
        var gone: [(source: Int64, key: String)] = []
        for source in current {
            let links = try database.prepare("SELECT record_key FROM links WHERE source_id = ? ORDER BY record_key")
            try links.bind([.integer(source.id)])
            let records = try stagedKeys(source: source.id, run: source.run)
            for key in try StateStore.keys(of: links, missingFrom: records) { gone.append((source.id, key)) }
        }
        return gone
    }

    /// The keys (column 0) of `rows` that `others` does not have, both statements giving their
    /// keys in ascending BINARY order, as an index on the key reads them: one pass over each,
    /// rather than a lookup of every key. Finding the few records a night deleted among a
    /// million this way takes a third of the time of a `NOT EXISTS` lookup per row.
    static func keys(of rows: Statement, missingFrom others: Statement) throws(StoreError) -> [String] {
        var missing: [String] = []
        var hasOther = try others.step()
        while try rows.step() {
            // Skip the other keys below this key; it is missing unless the next one is the same.
            var found = false
            while hasOther {
                let order = rows.withText(at: 0) { a in others.withText(at: 0) { b in StateStore.order(a, b) } }
                if order < 0 { break }
                if order == 0 {
                    found = true
                    break
                }
                hasOther = try others.step()
            }
            if !found { missing.append(rows.text(at: 0) ?? "") }
        }
        return missing
    }

    /// How two texts compare in SQLite's BINARY collation (by bytes, a prefix first): below 0,
    /// 0 or above 0. A NULL sorts first.
    private static func order(_ a: UnsafeBufferPointer<UInt8>?, _ b: UnsafeBufferPointer<UInt8>?) -> Int {
        guard let a, let b else { return (a == nil ? 0 : 1) - (b == nil ? 0 : 1) }
        for index in 0..<min(a.count, b.count) where a[index] != b[index] {
            return Int(a[index]) - Int(b[index])
        }
        return a.count - b.count
    }
}
