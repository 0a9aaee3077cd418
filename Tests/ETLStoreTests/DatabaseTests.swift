import ETLStore
import Foundation
import TestSupport
import Testing

@Suite struct DatabaseTests {
    private struct Boom: Error {}

    @Test func opensInWALModeWithForeignKeys() throws {
        let folder = TemporaryDirectory()
        let database = try Database(path: folder.file("t.sqlite"))
        #expect(try database.scalar("PRAGMA journal_mode")?.string == "wal")
        #expect(try database.scalar("PRAGMA foreign_keys")?.int64 == 1)
    }

    @Test func transactionCommitsWhenTheBodyReturns() throws {
        let folder = TemporaryDirectory()
        let database = try Database(path: folder.file("t.sqlite"))
        try database.execute("CREATE TABLE t (v TEXT)")
        try database.inTransaction { try database.run("INSERT INTO t VALUES (?)", [.text("a")]) }
        #expect(try database.scalar("SELECT count(*) FROM t")?.int64 == 1)
    }

    @Test func transactionRollsBackAndRethrowsTheFirstError() throws {
        let folder = TemporaryDirectory()
        let database = try Database(path: folder.file("t.sqlite"))
        try database.execute("CREATE TABLE t (v TEXT)")
        #expect(throws: Boom.self) {
            try database.inTransaction {
                try database.run("INSERT INTO t VALUES (?)", [.text("a")])
                throw Boom()
            }
        }
        #expect(try database.scalar("SELECT count(*) FROM t")?.int64 == 0)
    }

    @Test func errorsCarryTheSQLButNeverTheBoundValues() throws {
        let folder = TemporaryDirectory()
        let database = try Database(path: folder.file("t.sqlite"))
        try database.execute("CREATE TABLE t (v TEXT NOT NULL UNIQUE)")
        try database.run("INSERT INTO t VALUES (?)", [.text("secret-value-1")])
        do {
            try database.run("INSERT INTO t VALUES (?)", [.text("secret-value-1")])
            Issue.record("a duplicate must fail")
        } catch {
            guard case .sqlite(let code, _, let sql) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(code == 2067)  // SQLITE_CONSTRAINT_UNIQUE: extended codes are on
            #expect(sql == "INSERT INTO t VALUES (?)")
            #expect(!error.description.contains("secret-value-1"))
        }
    }

    @Test func prepareReportsBadSQL() throws {
        let folder = TemporaryDirectory()
        let database = try Database(path: folder.file("t.sqlite"))
        #expect(throws: StoreError.self) { try database.prepare("SELEC 1") }
    }
}
