import Foundation
import TestSupport
import Testing

/// The published snapshots as a downstream reader sees them: it follows `CURRENT` and
/// `datapackage.json` only, and checks every hash itself.
@Suite struct PublishCommandTests {
    /// The SHA-256 of a file, from coreutils (not from etl's own code).
    private func sha256(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    @Test func aDatasetThatCannotBeWrittenIsNamedOnStderrAndTheRunIsPartial() throws {
        let folder = TemporaryDirectory()
        let published = folder.file("out")
        // A file where the dataset's folder should be: its snapshot cannot be written.
        folder.write("out/elderly_care", "not a folder")
        let run = try BinaryRunner.run(
            ["run", "demo", "--state", folder.file("state"), "--publish-dir", published])
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("Error: dataset 'elderly_care': cannot write \(published)/elderly_care"))
        #expect(run.stdout.contains("service_index (for one_stop_counter, IDENTIFIED): v000001 is current"))
    }

    @Test func aReaderFollowingCurrentGetsVerifiedData() throws {
        let folder = TemporaryDirectory()
        let published = folder.file("out")
        let key = folder.file("master.key")
        let keygen = try BinaryRunner.run(["keygen", key])
        #expect(keygen.exitCode == 0)
        let run = try BinaryRunner.run(
            ["run", "demo", "--state", folder.file("state"), "--publish-dir", published],
            environment: ["ETL_MASTER_KEY_FILE": key])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        #expect(run.stdout.contains("Published 3 datasets"))
        #expect(run.stdout.contains("service_index (for one_stop_counter, IDENTIFIED): v000001 is current"))
        for dataset in ["elderly_care", "population_statistics", "service_index"] {
            let current = try String(contentsOfFile: "\(published)/\(dataset)/CURRENT", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let version = "\(published)/\(dataset)/\(current)"
            let package = try #require(
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: version + "/datapackage.json")))
                    as? [String: Any])
            let resources = try #require(package["resources"] as? [[String: Any]])
            #expect(!resources.isEmpty)
            for resource in resources {
                let path = try #require(resource["path"] as? String)
                let hash = try #require(resource["hash"] as? String)
                #expect(hash == "sha256:" + (try sha256(version + "/" + path)), "\(dataset)/\(path)")
                let bytes = try FileManager.default.attributesOfItem(atPath: version + "/" + path)[.size] as? Int
                #expect(bytes == resource["bytes"] as? Int)
            }
            let etl = try #require(package["x-etl"] as? [String: Any])
            #expect((etl["keyId"] as? String)?.count == 16)
        }
        let snapshots = try BinaryRunner.run(
            ["snapshots", "demo", "--state", folder.file("state"), "--publish-dir", published, "--verify"])
        #expect(snapshots.exitCode == 0)
        #expect(snapshots.stdout.contains("* v000001  23 rows"))
        #expect(snapshots.stdout.contains("current version verified"))
        // The key never shows in any output.
        let keyText = try String(contentsOfFile: key, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!run.stdout.contains(keyText) && !snapshots.stdout.contains(keyText))
    }

    @Test func aTamperedSnapshotFailsVerification() throws {
        let folder = TemporaryDirectory()
        let published = folder.file("out")
        _ = try BinaryRunner.run(["run", "demo", "--state", folder.file("state"), "--publish-dir", published])
        let file = "\(published)/population_statistics/v000001/data.csv"
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.seekToEnd()
        handle.write(Data("*,1,x,*\r\n".utf8))
        try handle.close()
        let snapshots = try BinaryRunner.run(
            ["snapshots", "demo", "--state", folder.file("state"), "--publish-dir", published, "--verify"])
        #expect(snapshots.exitCode == 1)
        #expect(snapshots.stdout.contains("current version does NOT verify"))
        #expect(snapshots.stdout.contains("data.csv"))
    }

    @Test func jsonLogsAreOneObjectALineWithoutPersonalData() throws {
        let folder = TemporaryDirectory()
        let result = try BinaryRunner.run(
            ["run", "demo", "--state", folder.file("state"), "--log-format", "json"])
        #expect(result.exitCode == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 9)
        var stages: [String] = []
        for line in lines {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            for key in ["time", "level", "run", "stage", "message"] { #expect(object[key] != nil, "\(key)") }
            #expect(object["run"] as? Int == 1)
            stages.append(object["stage"] as? String ?? "")
        }
        #expect(stages == ["import", "import", "import", "resolve", "publish", "publish", "publish", "publish", "run"])
        // Fixture names, ID numbers and phones never appear.
        for value in ["张", "510107198503120036", "13812345678"] { #expect(!result.stderr.contains(value)) }
        // A lock held, or a bad pipeline, is a JSON line too.
        let bad = folder.write("bad.json", "{ \"sources\": [] }")
        let invalid = try BinaryRunner.run(["run", bad, "--log-format", "json"])
        #expect(invalid.exitCode == 4)
        for line in invalid.stderr.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["stage"] as? String == "pipeline")
        }
    }

    @Test func aPipelineThatPublishesNothingSaysSo() throws {
        let folder = TemporaryDirectory()
        var demo = try String(contentsOfFile: Repository.path("pipelines/demo.json"), encoding: .utf8)
        demo = String(demo[..<demo.range(of: ",\n  \"publish\"")!.lowerBound]) + "\n}\n"
        demo = demo.replacingOccurrences(
            of: "\"../fixtures/inbox\"", with: "\"\(Repository.path("fixtures/inbox"))\"")
        let pipeline = folder.write("plain.json", demo)
        let result = try BinaryRunner.run(["snapshots", pipeline])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("publishes nothing; add a \"publish\" section"))
    }
}
