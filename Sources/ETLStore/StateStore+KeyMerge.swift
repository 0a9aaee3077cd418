extension StateStore {
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
