import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

/// The state folder's SQLite store: runs, source files, staged records and rejects.
public final class StateStore {
    /// The file name of the database inside the state folder.
    public static let databaseName = "state.sqlite"

    /// The state folder.
    public let folder: String
    let database: Database
    /// How many staged rows a file import commits at a time (see `importFile`).
    let rowsPerCommit: Int
    private var statements: [String: Statement] = [:]

    /// Opens the store in `folder`, creating the folder (mode 0700) and the database
    /// (mode 0600) when they do not exist, and migrating the schema.
    public convenience init(folder: String) throws(StoreError) {
        try self.init(folder: folder, rowsPerCommit: 65_536)
    }

    /// Opens the store with a chosen commit step for file imports, for tests.
    init(folder: String, rowsPerCommit: Int) throws(StoreError) {
        self.folder = folder
        self.rowsPerCommit = rowsPerCommit
        try StateStore.createFolder(folder)
        let path = folder + "/" + StateStore.databaseName
        // Create the file first so that SQLite (and its -wal and -shm files, which copy the
        // database's mode) never exist with a wider mode than 0600.
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        close(descriptor)
        database = try Database(path: path)
        try Schema.migrate(database)
    }

    private static func createFolder(_ folder: String) throws(StoreError) {
        var components: [Substring] = []
        for component in folder.split(separator: "/", omittingEmptySubsequences: false) {
            components.append(component)
            let prefix = components.joined(separator: "/")
            guard !prefix.isEmpty else { continue }
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw .cannotOpen(path: folder, reason: String(cString: strerror(errno)))
            }
        }
        var info = stat()
        guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw .cannotOpen(path: folder, reason: "it is not a folder")
        }
    }

    /// A prepared statement for `sql`, prepared once per store and reused.
    func cached(_ sql: String) throws(StoreError) -> Statement {
        if let statement = statements[sql] { return statement }
        let statement = try database.prepare(sql)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` in one transaction (see `Database.inTransaction`).
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try database.inTransaction(body)
    }
}
