import ETLCore
import ETLPublish
import ETLStore

#if canImport(Glibc)
    import Glibc
#endif

/// The HTML page each run leaves in the state folder (`reports/run-<id>.html`): one static
/// file, no server and no scripts, with inline SVG charts. It holds counts, source and
/// dataset names and reject categories only, never a person's data.
enum RunReportPage {
    /// The folder the pages go in, inside the state folder.
    static func folder(stateFolder: String) -> String { FilePaths.join(stateFolder, "reports") }

    static func path(stateFolder: String, run: Int64) -> String {
        FilePaths.join(folder(stateFolder: stateFolder), "run-\(run).html")
    }

    /// Writes the page of `report` (through a temporary file and a rename); returns its path.
    static func write(
        _ report: RunReport, rejectCategories: [(source: String, category: String, count: Int)], stateFolder: String
    ) throws -> String {
        let folder = folder(stateFolder: stateFolder)
        if !FilePaths.isDirectory(folder) { mkdir(folder, 0o700) }
        let path = path(stateFolder: stateFolder, run: report.runID)
        let temporary = path + ".tmp-\(getpid())"
        let bytes = Array(html(report, rejectCategories: rejectCategories).utf8)
        guard let file = fopen(temporary, "wb") else {
            throw PipelineError.cannotRead(path: temporary, reason: String(cString: strerror(errno)))
        }
        let written = fwrite(bytes, 1, bytes.count, file)
        fclose(file)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw PipelineError.cannotRead(path: path, reason: "the report could not be written")
        }
        return path
    }

    static func html(_ report: RunReport, rejectCategories: [(source: String, category: String, count: Int)]) -> String
    {
        var body =
            "<h1>Run \(report.runID) of <code>\(escape(report.pipeline))</code>: \(escape(report.status.rawValue))</h1>\n"
        body += "<p>\(format(report.seconds)) s. No personal data is shown on this page: counts only.</p>\n"

        body += "<h2>Sources</h2>\n"
        body += table(
            ["source", "status", "read", "staged", "rejected", "deleted"],
            report.sources.map { source in
                [
                    source.name, source.status.rawValue, "\(source.counts.read)", "\(source.kept.staged)",
                    "\(source.counts.rejected)", "\(source.deleted)",
                ]
            })
        body += stackedBars(
            report.sources.map { ($0.name, [$0.kept.staged, $0.counts.rejected]) }, legend: ["staged", "rejected"])
        if report.sources.contains(where: { $0.status == .failed && $0.counts.read > 0 }) {
            body +=
                "<p>A failed source keeps its earlier records: none of what it read in this run was kept, so it counts 0 staged.</p>\n"
        }
        if !rejectCategories.isEmpty {
            body += "<h3>Top reject reasons</h3>\n"
            var rows: [[String]] = []
            for source in report.sources.map(\.name) {
                for entry in rejectCategories.filter({ $0.source == source }).prefix(5) {
                    rows.append([source, entry.category, "\(entry.count)"])
                }
            }
            body += table(["source", "reason", "records"], rows)
        }

        body += "<h2>Residents</h2>\n"
        if let resolution = report.resolution {
            body += "<p>\(resolution.records) records resolved into \(resolution.residents) residents; "
            body += "\(resolution.candidatePairs) candidate pairs compared, \(resolution.links) links.</p>\n"
            body += table(
                ["created", "merged", "split", "retired"],
                [["\(resolution.created)", "\(resolution.merged)", "\(resolution.split)", "\(resolution.retired)"]])
            body += "<h3>Match weights of the compared pairs</h3>\n"
            body += histogram(
                resolution.weightHistogram.enumerated().map { ("\($0.offset - 40)", $0.element) },
                markers: [
                    (resolution.thresholdWeight + 40, "threshold"), (resolution.reviewWeight + 40, "review from"),
                    (resolution.separationWeight + 40, "kept apart below"),
                ], axis: "match weight (bits)")
            body += "<h3>Residents by number of records</h3>\n"
            let sizes = resolution.residentSizes.keys.sorted()
            body += histogram(
                sizes.map { ("\($0)", resolution.residentSizes[$0] ?? 0) }, markers: [], axis: "records per resident")
        } else if let run = report.resolutionUnchangedSince {
            body +=
                "<p>No record changed since run \(run), which resolved the residents; they are as it left them.</p>\n"
        } else {
            body += "<p>Residents were not resolved in this run.</p>\n"
        }

        if let publication = report.publication {
            body += "<h2>Datasets</h2>\n"
            body += table(
                ["dataset", "recipient", "status", "version", "rows", "k reached", "suppressed"],
                publication.datasets.map { dataset in
                    [
                        dataset.name + (dataset.identified ? " (identified)" : ""), dataset.recipient,
                        dataset.status.rawValue, dataset.version ?? "-", "\(dataset.rows)",
                        dataset.kReached.map(String.init) ?? "-", "\(dataset.suppressed)",
                    ]
                })
            for dataset in publication.datasets where !dataset.classSizes.isEmpty {
                body += "<h3>Equivalence classes of <code>\(escape(dataset.name))</code> by size</h3>\n"
                let order = ["1", "2-4", "5-9", "10-19", "20-49", "50-99", "100+"]
                body += histogram(
                    order.filter { dataset.classSizes[$0] != nil }.map { ($0, dataset.classSizes[$0] ?? 0) },
                    markers: [], axis: "residents per class")
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>etl run \(report.runID): \(escape(report.pipeline))</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; max-width: 60em; }
            table { border-collapse: collapse; margin: 0.5em 0 1em; }
            th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
            td.n { text-align: right; }
            svg { display: block; margin: 0.5em 0 1.5em; }
            svg text { font-size: 11px; fill: #333; }
            </style></head>
            <body>
            \(body)</body></html>

            """
    }

    // MARK: - Pieces

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    private static func table(_ header: [String], _ rows: [[String]]) -> String {
        var html = "<table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows {
            html +=
                "<tr>"
                + row.map { cell in
                    // Counts align right.
                    let numeric = !cell.isEmpty && cell.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
                    return (numeric ? "<td class=\"n\">" : "<td>") + escape(cell) + "</td>"
                }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    private static let colours = ["#4878a8", "#d86c3c", "#6aa84f", "#8e7cc3"]

    /// One horizontal bar per row, its parts stacked, with a legend.
    private static func stackedBars(_ rows: [(label: String, parts: [Int])], legend: [String]) -> String {
        let total = max(1, rows.map { $0.parts.reduce(0, +) }.max() ?? 1)
        let width = 600.0
        let height = 24 * rows.count + 30
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"\(height)\" role=\"img\">\n"
        for (index, row) in rows.enumerated() {
            let y = 24 * index
            svg += "<text x=\"0\" y=\"\(y + 15)\">\(escape(row.label))</text>\n"
            var x = 150.0
            for (part, value) in row.parts.enumerated() where value > 0 {
                let length = width * Double(value) / Double(total)
                svg +=
                    "<rect x=\"\(format(x))\" y=\"\(y + 3)\" width=\"\(format(max(length, 1)))\" height=\"16\" fill=\"\(colours[part % colours.count])\"><title>\(escape(legend[part])): \(value)</title></rect>\n"
                x += length
            }
        }
        for (part, name) in legend.enumerated() {
            let x = 150 + 110 * part
            svg +=
                "<rect x=\"\(x)\" y=\"\(height - 18)\" width=\"12\" height=\"12\" fill=\"\(colours[part % colours.count])\"/>"
            svg += "<text x=\"\(x + 16)\" y=\"\(height - 8)\">\(escape(name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Vertical bars, one per bucket, on a square-root scale (so small counts stay visible), with
    /// labelled vertical markers at bucket positions.
    private static func histogram(
        _ buckets: [(label: String, count: Int)], markers: [(position: Double, label: String)], axis: String
    ) -> String {
        guard !buckets.isEmpty else { return "<p>No data.</p>\n" }
        let plotWidth = 700.0
        let plotHeight = 160.0
        let step = plotWidth / Double(buckets.count)
        let top = max(1, buckets.map(\.count).max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"230\" role=\"img\">\n"
        svg += "<line x1=\"40\" y1=\"170\" x2=\"\(format(40 + plotWidth))\" y2=\"170\" stroke=\"#999\"/>\n"
        let labelEvery = max(1, buckets.count / 12)
        for (index, bucket) in buckets.enumerated() {
            let x = 40 + step * Double(index)
            let barHeight =
                bucket.count == 0 ? 0 : max(1, plotHeight * (Double(bucket.count) / Double(top)).squareRoot())
            if barHeight > 0 {
                svg +=
                    "<rect x=\"\(format(x + 1))\" y=\"\(format(170 - barHeight))\" width=\"\(format(max(step - 2, 1)))\" height=\"\(format(barHeight))\" fill=\"#4878a8\"><title>\(escape(bucket.label)): \(bucket.count)</title></rect>\n"
            }
            if index % labelEvery == 0 {
                svg +=
                    "<text x=\"\(format(x + step / 2))\" y=\"185\" text-anchor=\"middle\">\(escape(bucket.label))</text>\n"
            }
        }
        for (offset, marker) in markers.enumerated()
        where marker.position >= 0 && marker.position <= Double(buckets.count) {
            let x = 40 + step * marker.position
            svg +=
                "<line x1=\"\(format(x))\" y1=\"5\" x2=\"\(format(x))\" y2=\"170\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>\n"
            svg +=
                "<text x=\"\(format(x + 3))\" y=\"\(15 + 13 * offset)\" fill=\"#c0392b\">\(escape(marker.label))</text>\n"
        }
        svg +=
            "<text x=\"\(format(40 + plotWidth / 2))\" y=\"210\" text-anchor=\"middle\">\(escape(axis)) (bar heights on a square-root scale; largest \(top))</text>\n"
        return svg + "</svg>\n"
    }
}
