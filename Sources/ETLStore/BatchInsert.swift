/// Inserts rows many at a time: one `INSERT … VALUES (…), (…), …` statement per full batch,
/// which saves most of SQLite's per-statement work; the rest go one by one in `finish`.
final class BatchInsert {
    private let many: Statement
    private let one: Statement
    private let columns: Int
    private let rowsPerStatement: Int
    private var pending: [SQLValue] = []

    /// `prefix` is `INSERT INTO table (columns…)`; each row binds `columns` values.
    init(_ database: Database, _ prefix: String, columns: Int, rowsPerStatement: Int = 32) throws(StoreError) {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        many = try database.prepare(
            prefix + " VALUES " + Array(repeating: row, count: rowsPerStatement).joined(separator: ", "))
        one = try database.prepare(prefix + " VALUES " + row)
        self.columns = columns
        self.rowsPerStatement = rowsPerStatement
        pending.reserveCapacity(columns * rowsPerStatement)
    }

    /// Adds one row of `columns` values.
    func add(_ row: [SQLValue]) throws(StoreError) {
        try add { $0.append(contentsOf: row) }
    }

    /// Adds one row, whose `columns` values `fill` appends (without building an array per row).
    func add(_ fill: (inout [SQLValue]) -> Void) throws(StoreError) {
        let before = pending.count
        fill(&pending)
        precondition(pending.count == before + columns, "a row must bind every column")
        if pending.count == columns * rowsPerStatement {
            try many.bind(pending)
            try many.run()
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Inserts the rows still pending.
    func finish() throws(StoreError) {
        var start = 0
        while start < pending.count {
            try one.bind(Array(pending[start..<(start + columns)]))
            try one.run()
            start += columns
        }
        pending.removeAll(keepingCapacity: true)
    }
}
