import ETLCore
import TestSupport
import Testing

@testable import ETLImport

@Suite struct EncodingHeuristicTests {
    @Test func autoReadsUTF8WithAStrayByteAsUTF8AndRejectsOnlyThatRow() throws {
        let folder = TemporaryDirectory()
        var bytes = Array("id,name\n1,张伟\n2,李".utf8) + [0xFF] + Array("娜\n3,王芳\n".utf8)
        for index in 4...200 { bytes += Array("\(index),赵敏\n".utf8) }
        let path = folder.write("t.csv", bytes: bytes)
        let fingerprint = try FileFingerprint.compute(path: path, displayName: "t.csv")
        #expect(!fingerprint.isValidUTF8)
        #expect(fingerprint.isMostlyUTF8)
        let encoding = try TextEncoding.auto.resolved(for: fingerprint, format: .csv, file: "t.csv")
        #expect(encoding == .utf8)
        let spec = SourceSpec(name: "t", key: "id", fields: [.name: FieldMapping(sources: ["name"])])
        let stream = try RecordStream(path: path, displayName: "t.csv", format: .csv, spec: spec, encoding: encoding)
        var names: [String] = []
        var rejects = 0
        while let item = try stream.next() {
            switch item {
            case .record(let record): names.append(record.fields.name ?? "")
            case .reject: rejects += 1
            }
        }
        #expect(rejects == 1)
        #expect(names.prefix(2) == ["张伟", "王芳"])
    }

    @Test func autoStillReadsGB18030AsGB18030() throws {
        let folder = TemporaryDirectory()
        let path = folder.write("t.csv", bytes: GB18030.encode("id,name\n1,张伟\n2,李娜\n"))
        let fingerprint = try FileFingerprint.compute(path: path, displayName: "t.csv")
        #expect(!fingerprint.isMostlyUTF8)
        #expect(try TextEncoding.auto.resolved(for: fingerprint, format: .csv, file: "t.csv") == .gb18030)
    }

    @Test func xmlRejectReasonsNeverQuoteTheRecord() throws {
        let folder = TemporaryDirectory()
        let path = folder.write(
            "t.xml",
            "<r>\n<person><id>K1</id><name>&张伟;</name></person>\n<person><id>K2</id><名字>x</名>"
                + "</person>\n</r>\n")
        let spec = SourceSpec(
            name: "t", xmlRecordElement: "person", key: "id", fields: [.name: FieldMapping(sources: ["name"])])
        let stream = try RecordStream(path: path, displayName: "t.xml", format: .xml, spec: spec, encoding: .utf8)
        var reasons: [String] = []
        while let item = try stream.next() {
            if case .reject(let reject) = item { reasons.append(reject.reason.description) }
        }
        #expect(reasons.count == 2)
        for reason in reasons {
            #expect(!reason.contains("张伟"))
            #expect(!reason.contains("名字"))
        }
    }
}
