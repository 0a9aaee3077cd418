/// A failure of the state store. Carries the SQL, never the values bound to it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// SQLite returned an error for a statement.
    case sqlite(code: Int32, message: String, sql: String?)
    /// The state folder or database could not be created or opened.
    case cannotOpen(path: String, reason: String)
    /// The database was written by a newer `etl` whose schema this one does not know.
    case schemaTooNew(path: String, version: Int, supported: Int)

    public var description: String {
        switch self {
        case .sqlite(let code, let message, let sql):
            let statement = sql.map { " in `\($0.split(whereSeparator: \.isNewline).joined(separator: " "))`" } ?? ""
            return "SQLite error \(code): \(message)\(statement)"
        case .cannotOpen(let path, let reason):
            return
                "cannot open the state store at \(path): \(reason); check that the folder exists and is writable, or pass --state DIR"
        case .schemaTooNew(let path, let version, let supported):
            return
                "the state store at \(path) has schema version \(version), but this etl knows versions up to \(supported); use a newer etl"
        }
    }
}
