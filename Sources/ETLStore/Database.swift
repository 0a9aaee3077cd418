import CSQLite
import ETLCore

/// A connection to a SQLite database; owns the `sqlite3` handle and closes it in `deinit`.
///
/// Not `Sendable`: use one connection per thread.
public final class Database {
    let handle: OpaquePointer
    /// The database file's path.
    public let path: String

    /// Opens (creating if needed) the database at `path`, in WAL mode with a busy timeout.
    public convenience init(path: String) throws(StoreError) {
        try self.init(path: path, writeAheadLog: true)
    }

    /// Opens (creating if needed) the database at `path`; without `writeAheadLog`, it keeps no
    /// journal at all: for a file written once by one writer and discarded whole on failure.
    init(path: String, writeAheadLog: Bool) throws(StoreError) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw .cannotOpen(path: path, reason: message)
        }
        self.handle = handle
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 5_000)
        // 16 KiB pages (for a new database) write wide staged rows with half the page
        // overhead of the 4 KiB default; the cache keeps the B-tree edges being appended to.
        try execute("PRAGMA page_size = 16384")
        try execute("PRAGMA cache_size = -16384")
        if writeAheadLog {
            try execute("PRAGMA journal_mode = WAL")
            try execute("PRAGMA synchronous = NORMAL")
        } else {
            try execute("PRAGMA journal_mode = OFF")
            try execute("PRAGMA synchronous = OFF")
        }
        try execute("PRAGMA foreign_keys = ON")
        // Temporary tables and any statement journal stay in memory: they are small, and on
        // disk they cost a write per page touched.
        try execute("PRAGMA temp_store = MEMORY")
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no arguments.
    public func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw .sqlite(code: code, message: text, sql: sql)
        }
    }

    /// Prepares a statement for repeated use.
    public func prepare(_ sql: String) throws(StoreError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `sql` once with `arguments` bound in order.
    public func run(_ sql: String, _ arguments: [SQLValue] = []) throws(StoreError) {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        try statement.run()
    }

    /// The first column of the first row of `sql`, or `nil` when there is no row or it is NULL.
    public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws(StoreError) -> SQLValue? {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        let value = statement.value(at: 0)
        return value == .null ? nil : value
    }

    /// The rowid of the last inserted row.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The number of rows the last statement changed.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws,
    /// and rethrows the first error (never the rollback's).
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // A failed rollback must not hide the error that caused it.
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Inside `inTransaction`'s body: commits what the transaction wrote so far and opens the
    /// next one, which the body goes on in (and which `inTransaction` commits or rolls back).
    func commitAndContinue() throws(StoreError) {
        try execute("COMMIT")
        try execute("BEGIN IMMEDIATE")
    }

    /// `inTransaction` for a body that throws only `StoreError`, keeping the error's type.
    func inStoreTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        do {
            return try inTransaction(body)
        } catch let error as StoreError {
            throw error
        } catch {
            // Both the body and the transaction's own statements throw only StoreError.
            preconditionFailure("a store transaction threw \(type(of: error))")
        }
    }

    /// Runs `body` in a transaction that is always rolled back, for a dry run: `body` makes
    /// the very changes a real run would, and what it returns describes them, but none stays.
    /// Rethrows the first error (never the rollback's).
    func inRolledBackTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        let result: T
        do {
            result = try body()
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        try execute("ROLLBACK")
        return result
    }

    func error(code: Int32, sql: String?) -> StoreError {
        .sqlite(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
