import Foundation
import TestSupport
import Testing

/// Two copies of the fixture inbox whose social security exports differ in one phone number:
/// exports to send on alternate nights, so that each run imports something new.
struct TwoExports {
    let first: String
    let second: String

    init(in folder: TemporaryDirectory) throws {
        first = folder.file("first")
        second = folder.file("second")
        try FileManager.default.copyItem(atPath: Repository.path("fixtures/inbox"), toPath: first)
        try FileManager.default.copyItem(atPath: Repository.path("fixtures/inbox"), toPath: second)
        let csv = second + "/social_security_2026-11-26.csv"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: csv)))
        let phone = try #require(bytes.firstRange(of: Array("138 1234 5678".utf8)))
        bytes.replaceSubrange(phone, with: Array("138 1234 5679".utf8))
        try Data(bytes).write(to: URL(fileURLWithPath: csv))
    }
}
