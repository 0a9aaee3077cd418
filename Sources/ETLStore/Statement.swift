import CSQLite

/// A value bound to, or read from, a SQL statement.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var int64: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var string: String? {
        if case .text(let value) = self { return value }
        return nil
    }
}

/// A prepared statement; owns the `sqlite3_stmt` handle and finalizes it in `deinit`.
public final class Statement {
    private let handle: OpaquePointer
    private let database: Database
    /// The statement's SQL, for error messages.
    public let sql: String

    init(database: Database, sql: String) throws(StoreError) {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else { throw database.error(code: code, sql: sql) }
        self.handle = handle
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `values` to parameters 1, 2, … after resetting the statement.
    public func bind(_ values: [SQLValue]) throws(StoreError) {
        reset()
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one value to the 1-based parameter `index`.
    public func bind(_ value: SQLValue, at index: Int32) throws(StoreError) {
        let code: Int32
        switch value {
        case .null: code = sqlite3_bind_null(handle, index)
        case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
        case .real(let number): code = sqlite3_bind_double(handle, index, number)
        case .text(var text):
            code = text.withUTF8 { bytes in
                // An empty string has no base address; bind it as a zero-length text, not NULL.
                guard let base = bytes.baseAddress else {
                    return etl_sqlite3_bind_text_transient(handle, index, "", 0)
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    etl_sqlite3_bind_text_transient(handle, index, $0, Int32(bytes.count))
                }
            }
        }
        guard code == SQLITE_OK else { throw database.error(code: code, sql: sql) }
    }

    /// Binds UTF-8 bytes as text without copying them: they must stay valid and unchanged
    /// until the statement has stepped and every parameter is bound again (or cleared).
    func bind(borrowedText bytes: UnsafeBufferPointer<UInt8>, at index: Int32) throws(StoreError) {
        guard let base = bytes.baseAddress else {
            try bind(.text(""), at: index)
            return
        }
        let code = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            // A nil destructor is SQLITE_STATIC: SQLite uses the caller's bytes as they are.
            sqlite3_bind_text(handle, index, $0, Int32(bytes.count), nil)
        }
        guard code == SQLITE_OK else { throw database.error(code: code, sql: sql) }
    }

    /// Unbinds every parameter, so no borrowed bytes stay referenced.
    func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    /// Binds text, or NULL when `text` is `nil`.
    public func bind(_ text: String?, at index: Int32) throws(StoreError) {
        try bind(text.map(SQLValue.text) ?? .null, at: index)
    }

    /// Binds an integer.
    public func bind(int number: Int64, at index: Int32) throws(StoreError) {
        let code = sqlite3_bind_int64(handle, index, number)
        guard code == SQLITE_OK else { throw database.error(code: code, sql: sql) }
    }

    /// Binds an integer, or NULL when `number` is `nil`.
    public func bind(_ number: Int?, at index: Int32) throws(StoreError) {
        try bind(number.map { .integer(Int64($0)) } ?? .null, at: index)
    }

    /// Resets the statement so it can run again; bindings are kept until rebound.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Steps once: `true` when a row is available, `false` when done; throws on any error.
    public func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Steps until done, for statements that return no rows.
    public func run() throws(StoreError) {
        while try step() {}
        reset()
    }

    /// The value of column `index` (0-based) of the current row.
    public func value(at index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_NULL: return .null
        default: return text(at: index).map(SQLValue.text) ?? .null
        }
    }

    /// The text of column `index`, or `nil` when it is NULL.
    public func text(at index: Int32) -> String? {
        guard sqlite3_column_type(handle, index) != SQLITE_NULL, let pointer = sqlite3_column_text(handle, index)
        else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Calls `body` with the UTF-8 bytes of column `index` (valid only during the call), or
    /// with `nil` when it is NULL; no `String` is made.
    public func withText<T>(at index: Int32, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
        guard sqlite3_column_type(handle, index) != SQLITE_NULL, let pointer = sqlite3_column_text(handle, index)
        else { return try body(nil) }
        return try body(UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, index))))
    }

    /// The integer in column `index`, or `nil` when it is NULL.
    public func int(at index: Int32) -> Int? {
        guard sqlite3_column_type(handle, index) != SQLITE_NULL else { return nil }
        return Int(sqlite3_column_int64(handle, index))
    }
}
