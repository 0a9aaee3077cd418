import Foundation
import TestSupport
import Testing

/// The HTML page each run leaves: static, no scripts, charts inline, no personal data.
/// (bench/render-report.sh opens it in headless Chromium; CI runs that too.)
@Suite struct ReportCommandTests {
    @Test func eachRunLeavesAStaticPageWithoutPersonalData() throws {
        let folder = TemporaryDirectory()
        let state = folder.file("state")
        #expect(try BinaryRunner.run(["run", "demo", "--state", state]).exitCode == 0)
        let report = try BinaryRunner.run(["report", "--state", state])
        #expect(report.exitCode == 0)
        let path = report.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path.hasSuffix("/reports/run-1.html"))
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.lowercased().contains("<script"))
        // Nothing is fetched: no sources or links to other files.
        #expect(!html.contains("src=") && !html.contains("href="))
        // Records per source, match weights, residents by size, and the two de-identified
        // datasets' classes (the identified index has no privacy model).
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
        for section in [
            "Top reject reasons", "Match weights of the compared pairs", "threshold", "Residents by number of records",
            "Equivalence classes of <code>population_statistics</code>", "duplicate record key",
        ] {
            #expect(html.contains(section), "\(section)")
        }
        // No name, ID number or phone of the fixtures.
        for value in ["张", "510107198503120036", "13812345678", "SB00100001"] {
            #expect(!html.contains(value), "\(value)")
        }
        #expect(try BinaryRunner.run(["report", "1", "--state", state]).stdout == report.stdout)
        let missing = try BinaryRunner.run(["report", "9", "--state", state])
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.hasPrefix("Error: run 9 has no report"))
    }
}
