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
            let advice: String
            switch code & 0xFF {
            case 5, 6:
                advice = "; another etl run is using this state folder: wait for it to finish, or pass another --state"
            case 11, 26: advice = "; the state store is damaged or is not an etl state store: check --state"
            case 13: advice = "; the disk is full"
            default: advice = ""
            }
            return "SQLite error \(code): \(message)\(statement)\(advice)"

        case .cannotOpen(let path, let reason):
            return
                "cannot open the state store at \(path): \(reason); check that the folder exists and is writable, or pass --state DIR"
        case .schemaTooNew(let path, let version, let supported):
            return
                "the state store at \(path) has schema version \(version), but this etl knows versions up to \(supported); use a newer etl"
        }
    }
}
