import ETLCore

/// A SQLite file holding one table, written once: the SQLite format of a published dataset.
/// Rows are written in the order they are added, so the same rows give the same bytes. The
/// file keeps no journal; a caller that fails discards it whole.
public final class SQLiteTableFile {
    private let database: Database
    private let columns: [Column]
    /// An INSERT of `rowsPerStatement` rows, and one of a single row for the rest.
    private let many: Statement
    private let one: Statement
    private let rowsPerStatement: Int
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
        let prefix = "INSERT INTO \(quoted(table)) (\(columns.map { quoted($0.name) }.joined(separator: ", "))) VALUES "
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        rowsPerStatement = max(1, min(64, 999 / max(1, columns.count)))
        many = try database.prepare(prefix + Array(repeating: row, count: rowsPerStatement).joined(separator: ", "))
        one = try database.prepare(prefix + row)
        self.columns = columns
    }

    /// Adds `count` rows. `cell(row, column)` gives a cell's UTF-8 bytes, or `nil` for NULL;
    /// they are bound without copying, so they must stay valid until this returns. Cells of
    /// integer columns are stored as numbers when they are one.
    public func add(rows count: Int, cell: (Int, Int) -> UnsafeBufferPointer<UInt8>?) throws(StoreError) {
        var row = 0
        while row < count {
            let statement = count - row >= rowsPerStatement ? many : one
            let rows = statement === many ? rowsPerStatement : 1
            statement.reset()
            var parameter: Int32 = 1
            for offset in 0..<rows {
                for (column, definition) in columns.enumerated() {
                    if let bytes = cell(row + offset, column) {
                        if definition.isInteger, let number = SQLiteTableFile.integer(bytes) {
                            try statement.bind(.integer(number), at: parameter)
                        } else {
                            try statement.bind(borrowedText: bytes, at: parameter)
                        }
                    } else {
                        try statement.bind(.null, at: parameter)
                    }
                    parameter += 1
                }
            }
            try statement.run()
            row += rows
        }
        many.clearBindings()
        one.clearBindings()
    }

    /// Writes what is pending and commits; the file is complete after this.
    public func finish() throws(StoreError) {
        guard !finished else { return }
        try database.execute("COMMIT")
        finished = true
    }

    /// The whole number written in `bytes` (an optional minus and digits), or `nil`.
    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value: Int64 = 0
        var negative = false
        for (index, byte) in bytes.enumerated() {
            if index == 0, byte == UInt8(ascii: "-"), bytes.count > 1 {
                negative = true
                continue
            }
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return negative ? -value : value
    }
}
