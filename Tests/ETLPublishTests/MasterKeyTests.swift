import Foundation
import TestSupport
import Testing

@testable import ETLPublish

@Suite struct MasterKeyTests {
    private let hexKey = String(repeating: "3f", count: 32)

    @Test func keygenWritesAPrivateKeyFileAndNeverOverwrites() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("master.key")
        let id = try MasterKey.generate(file: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let key = try MasterKey(file: path)
        #expect(try key.keyID() == id)
        #expect(id.count == 16)
        let content = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!content.contains(id))
        #expect(throws: PublishError.keyFileExists(path: path)) { _ = try MasterKey.generate(file: path) }
        #expect(try MasterKey(file: path).keyID() == id)
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        let folder = TemporaryDirectory()
        let path = folder.write("open.key", hexKey)
        chmod(path, 0o644)
        #expect(throws: PublishError.keyFileTooOpen(path: path, mode: 0o644)) { _ = try MasterKey(file: path) }
        chmod(path, 0o600)
        _ = try MasterKey(file: path)
    }

    @Test func missingAndShortKeysAreRefusedWithoutShowingTheKey() throws {
        let folder = TemporaryDirectory()
        #expect(throws: PublishError.keyMissing(place: folder.file("none.key"))) {
            _ = try MasterKey(file: folder.file("none.key"))
        }
        let short = folder.write("short.key", String(repeating: "ab", count: 16))
        chmod(short, 0o600)
        do {
            _ = try MasterKey(file: short)
            Issue.record("a 16-byte key was accepted")
        } catch {
            #expect(error == .keyTooShort(place: short, bytes: 16))
            #expect(!error.description.contains("abab"))
        }
        #expect(throws: PublishError.keyMissing(place: "$ETL_TEST_NO_SUCH_KEY")) {
            _ = try MasterKey(environment: "ETL_TEST_NO_SUCH_KEY")
        }
    }

    @Test func theKeyIsNeverPrinted() throws {
        setenv("ETL_TEST_KEY", hexKey, 1)
        defer { unsetenv("ETL_TEST_KEY") }
        let key = try MasterKey(environment: "ETL_TEST_KEY")
        #expect(key.description == "MasterKey($ETL_TEST_KEY, redacted)")
        #expect(!"\(key)".contains("3f3f"))
        #expect(!(try key.keyID()).contains("3f3f"))
    }

    @Test func pseudonymsAreStablePerRecipientAndDisjointAcrossRecipients() throws {
        setenv("ETL_TEST_KEY", hexKey, 1)
        defer { unsetenv("ETL_TEST_KEY") }
        let key = try MasterKey(environment: "ETL_TEST_KEY")
        let civil = try Pseudonymiser(
            master: key, recipient: "civil_affairs", field: "resident", keyVersion: 1)
        let statistics = try Pseudonymiser(
            master: key, recipient: "statistics", field: "resident", keyVersion: 1)
        let rotated = try Pseudonymiser(
            master: key, recipient: "civil_affairs", field: "resident", keyVersion: 2)
        let token = try civil.token("R0000000001")
        #expect(token == (try civil.token("R0000000001")))
        #expect(token.hasPrefix("p1.") && token.count == 35)
        #expect(token != (try civil.token("R0000000002")))
        #expect(token != (try statistics.token("R0000000001")))
        #expect(token != (try rotated.token("R0000000001")))
    }
}
