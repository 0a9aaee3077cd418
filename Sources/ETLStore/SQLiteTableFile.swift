import ETLCore

/// A SQLite file holding one table, written once: the SQLite format of a published dataset.
/// Rows are written in the order they are added, so the same rows give the same bytes. The
/// file keeps no journal; a caller that fails discards it whole.
public final class SQLiteTableFile {
    private let database: Database
    private let insert: BatchInsert
    private let columns: Int
    private var finished = false

    /// One column: its name and whether it holds whole numbers (else text).
    public struct Column: Sendable {
        public var name: String
        public var isInteger: Bool

        public init(name: String, isInteger: Bool) {
            self.name = name
            self.isInteger = isInteger
        }
    }

    /// Creates the file at `path` (which must not exist) with the table `table`.
    public init(path: String, table: String, columns: [Column]) throws(StoreError) {
        database = try Database(path: path, writeAheadLog: false)
        func quoted(_ name: String) -> String {
            "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
        }
        let definitions = columns.map { quoted($0.name) + ($0.isInteger ? " INTEGER" : " TEXT") }
        try database.execute("CREATE TABLE \(quoted(table)) (\(definitions.joined(separator: ", ")))")
        try database.execute("BEGIN")
        insert = try BatchInsert(
            database, "INSERT INTO \(quoted(table)) (\(columns.map { quoted($0.name) }.joined(separator: ", ")))",
            columns: columns.count, rowsPerStatement: max(1, min(64, 999 / max(1, columns.count))))
        self.columns = columns.count
    }

    /// Adds one row, one value per column.
    public func add(_ row: [SQLValue]) throws(StoreError) {
        try insert.add(row)
    }

    /// Writes the rows still pending and commits; the file is complete after this.
    public func finish() throws(StoreError) {
        guard !finished else { return }
        try insert.finish()
        try database.execute("COMMIT")
        finished = true
    }
}
