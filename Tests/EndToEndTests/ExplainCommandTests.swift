import Foundation
import TestSupport
import Testing

@testable import ETLStore

/// `etl explain`: a resident or a pair of records, field by field, masked unless revealed.
@Suite struct ExplainCommandTests {
    private func demoState(_ folder: TemporaryDirectory) throws -> String {
        let state = folder.file("state")
        #expect(try BinaryRunner.run(["run", "demo", "--state", state]).exitCode == 0)
        return state
    }

    @Test func aResidentIsExplainedWithMaskedValues() throws {
        let folder = TemporaryDirectory()
        let state = try demoState(folder)
        let result = try BinaryRunner.run(["explain", "demo", "R0000000001", "--state", state])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let text = result.stdout
        #expect(text.hasPrefix("Resident R0000000001: active, created in run 1"))
        #expect(text.contains("from social_security:SB00100001"))
        #expect(text.contains("510107********0036"))
        #expect(text.contains("compared because they share: idNumber"))
        #expect(text.contains("FIELD      LEVEL"))
        #expect(text.contains("run 1: created with 5 records"))
        // Masked: no full ID number, phone or name of the fixtures.
        for value in ["510107198503120036", "13812345678", "张伟"] { #expect(!text.contains(value), "\(value)") }
        let store = try StateStore(folder: state)
        #expect(try store.auditLog(limit: 10).isEmpty)
    }

    @Test func revealingWritesTheAuditLog() throws {
        let folder = TemporaryDirectory()
        let state = try demoState(folder)
        let result = try BinaryRunner.run(["explain", "demo", "R0000000001", "--reveal", "--state", state])
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("510107198503120036"))
        let log = try StateStore(folder: state).auditLog(limit: 10)
        #expect(log.count == 1)
        #expect(log.first?.action == "explain --reveal" && log.first?.subject == "R0000000001")
        #expect(log.first?.who.contains("uid") == true)
    }

    @Test func aPairIsExplainedWithItsVerdict() throws {
        let folder = TemporaryDirectory()
        let state = try demoState(folder)
        let same = try BinaryRunner.run(
            ["explain", "demo", "social_security:SB00100001", "health_insurance:YB5101070000101", "--state", state])
        #expect(same.exitCode == 0, "\(same.stderr)")
        #expect(same.stdout.contains("Verdict: one resident, R0000000001"))
        #expect(same.stdout.contains("the same valid ID number links them whatever the weight"))
        let different = try BinaryRunner.run(
            ["explain", "demo", "social_security:SB00100001", "social_security:SB00100002", "--state", state])
        #expect(different.exitCode == 0)
        #expect(different.stdout.contains("Verdict: not one resident (R0000000001 and R0000000002)"))
    }

    @Test func unknownResidentsAndRecordsSayWhatToGive() throws {
        let folder = TemporaryDirectory()
        let state = try demoState(folder)
        let resident = try BinaryRunner.run(["explain", "demo", "R0000009999", "--state", state])
        #expect(resident.exitCode == 1)
        #expect(resident.stderr.hasPrefix("Error: no resident R0000009999 in"))
        let record = try BinaryRunner.run([
            "explain", "demo", "social_security:NOPE", "civil_affairs:X", "--state", state,
        ])
        #expect(record.exitCode == 1)
        #expect(record.stderr.contains("no current record social_security:NOPE"))
        let usage = try BinaryRunner.run(["explain", "demo", "SB00100001", "SB00100002", "--state", state])
        #expect(usage.exitCode == 64)
        #expect(usage.stderr.contains("is not a record; name one as source:key"))
    }
}
