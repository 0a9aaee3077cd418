import ETLPipeline

/// The text `etl run` prints: counts per source and file, then the first rejects.
/// Names sources, files and lines only, never field values.
enum Summary {
    /// What a source kept of its earlier records rather than delete them, and why.
    private static func keptLines(_ source: SourceReport) -> [String] {
        var lines: [String] = []
        if source.keptForRejects > 0 {
            lines.append(
                "  \(source.name): \(grouped(source.keptForRejects)) earlier \(source.keptForRejects == 1 ? "record" : "records") kept as \(source.keptForRejects == 1 ? "it was" : "they were"), as \(source.keptForRejects == 1 ? "its row" : "their rows") in the new export \(source.keptForRejects == 1 ? "was" : "were") rejected (see Rejects)"
            )
        }
        if source.deletionsHeldBack > 0 {
            lines.append(
                "  \(source.name): \(grouped(source.deletionsHeldBack)) \(source.deletionsHeldBack == 1 ? "record" : "records") missing from the export kept, not deleted: \(grouped(source.rejectsWithoutKey)) rejected \(source.rejectsWithoutKey == 1 ? "row has" : "rows have") no record key that could be read, and may be \(source.deletionsHeldBack == 1 ? "it" : "them"). Fix the rejected rows in the next export; the deletions happen in the first run whose export has none"
            )
        }
        return lines
    }

    static func text(of report: RunReport) -> String {
        var lines: [String] = []
        lines.append(
            "Run \(report.runID) of pipeline '\(report.pipeline)' \(report.status.rawValue) in \(seconds(report.seconds))"
        )
        lines.append("  inbox: \(report.inbox)")
        lines.append("  state: \(report.stateFolder)")
        lines.append("")
        var rows = [["SOURCE", "STATUS", "FILES", "READ", "STAGED", "REJECTED", "DELETED"]]
        for source in report.sources {
            rows.append([
                source.name, source.status.rawValue, "\(source.files.count)", grouped(source.counts.read),
                grouped(source.kept.staged), grouped(source.counts.rejected), grouped(source.deleted),
            ])
        }
        let totals = report.totals
        rows.append([
            "total", "", "\(report.sources.reduce(0) { $0 + $1.files.count })", grouped(totals.read),
            grouped(totals.staged), grouped(totals.rejected), grouped(report.sources.reduce(0) { $0 + $1.deleted }),
        ])
        lines.append(columns(rows, rightAligned: [2, 3, 4, 5, 6]))
        let files = report.sources.flatMap { source in source.files.map { (source, $0) } }
        if !files.isEmpty {
            lines.append("")
            lines.append("Files:")
            for (source, file) in files {
                let head = "  \(source.name): \(file.name) (\(file.encoding), \(byteSize(file.bytes))): "
                if source.status == .failed {
                    lines.append(
                        head
                            + "read \(grouped(file.counts.read)), rejected \(grouped(file.counts.rejected)); none kept: the source failed and keeps its earlier records"
                    )
                } else {
                    lines.append(
                        head
                            + "read \(grouped(file.counts.read)) = staged \(grouped(file.counts.staged)) + rejected \(grouped(file.counts.rejected))"
                    )
                }
            }
        }
        let kept = report.sources.filter { $0.keptForRejects > 0 || $0.deletionsHeldBack > 0 }
        if !kept.isEmpty {
            lines.append("")
            lines.append("Kept, not deleted:")
            for source in kept { lines += keptLines(source) }
        }
        if let resolution = report.resolution {
            lines.append("")
            lines.append(
                "Residents: \(grouped(resolution.records)) records resolved into \(grouped(resolution.residents)) residents in \(seconds(resolution.seconds))"
            )
            lines.append(
                "  \(grouped(resolution.created)) new, \(grouped(resolution.merged)) merged, \(grouped(resolution.split)) split, \(grouped(resolution.retired)) retired; \(grouped(resolution.unchanged)) unchanged"
            )
            let reduction = percent(resolution.reductionRatio)
            lines.append(
                "  \(grouped(resolution.candidatePairs)) candidate pairs compared (blocking spared \(reduction)% of all pairs), \(grouped(resolution.links)) links above the threshold"
            )
            lines.append(
                "  seconds: "
                    + resolution.phases.map { "\($0.phase) \(seconds($0.seconds).dropLast(2))" }.joined(separator: ", ")
            )
            if resolution.keptApart > 0 || resolution.leftAmbiguous > 0 {
                lines.append(
                    "  \(grouped(resolution.keptApart)) merges refused by the hard constraints, \(grouped(resolution.leftAmbiguous)) left apart as ambiguous"
                )
            }
        } else if let run = report.resolutionUnchangedSince {
            lines.append("")
            lines.append(
                "Residents: no record changed since run \(run), which resolved them; the residents and links are as it left them"
            )
        } else if let failure = report.failure {
            lines.append("")
            lines.append(report.status == .interrupted ? "Stopped: \(failure)" : "Residents: \(failure)")
        }
        if let publication = report.publication {
            lines.append("")
            lines.append(
                publicationHeading(
                    published: publication.datasets.filter { $0.status == .published }.count,
                    unchanged: publication.datasets.filter { $0.status == .unchanged }.count,
                    of: publication.datasets.count)
                    + " in \(seconds(publication.seconds)) (reading the residents \(seconds(publication.readSeconds))):"
            )
            for dataset in publication.datasets {
                let flag = dataset.identified ? ", IDENTIFIED" : ""
                let head = "  \(dataset.name) (for \(dataset.recipient)\(flag)): "
                switch dataset.status {
                case .published:
                    var text = head + "\(dataset.version ?? "?") is current, \(grouped(dataset.rows)) rows"
                    if let k = dataset.kReached {
                        text += ", k = \(k), \(grouped(dataset.suppressed)) of \(grouped(dataset.included)) suppressed"
                    }
                    text +=
                        "; \(grouped(dataset.added)) added, \(grouped(dataset.changed)) changed, \(grouped(dataset.removed)) removed; \(seconds(dataset.seconds))"
                    lines.append(text)
                case .unchanged:
                    lines.append(
                        head
                            + "unchanged, \(dataset.version ?? "?") stays current (\(grouped(dataset.rows)) rows); \(seconds(dataset.seconds))"
                    )
                case .failed:
                    lines.append(
                        head + "NOT published; " + (dataset.version.map { "\($0) stays current" } ?? "no version yet"))
                }
            }
        }
        if !report.stages.isEmpty {
            lines.append("")
            lines.append(
                "Stages: "
                    + report.stages.map {
                        "\($0.name) \(seconds($0.seconds)) (peak memory so far \(byteSize($0.peakKiB * 1024)))"
                    }
                    .joined(separator: ", "))
        }
        if !report.interruptedRuns.isEmpty {
            lines.append("")
            lines.append(
                "Earlier runs whose process ended before they did, now marked interrupted: \(report.interruptedRuns.map(String.init).joined(separator: ", "))"
            )
        }
        if !report.retiredSources.isEmpty {
            lines.append("")
            lines.append(
                "Sources no longer in the pipeline, whose records are no longer current: \(report.retiredSources.joined(separator: ", "))"
            )
        }
        for source in report.sources where !source.olderFiles.isEmpty {
            lines.append(
                "  \(source.name): older files left alone (the newest file is the export): \(source.olderFiles.joined(separator: ", "))"
            )
        }
        if totals.rejected > 0 {
            lines.append("")
            let shown = report.rejects.count
            let note = shown < totals.rejected ? "; the first \(shown) shown" : ""
            lines.append(
                "Rejects (\(grouped(totals.rejected))\(note); each is kept with its raw text in the state store):")
            for reject in report.rejects {
                lines.append("  \(reject.source): \(reject.file):\(reject.line): \(reject.reason)")
            }
            lines.append("Rejected records fail a source only beyond its limits.maxRejectedShare (default 1%).")
        }
        return lines.joined(separator: "\n")
    }

    /// The heading over the datasets: how many a run published, of how many, and what the
    /// others did; "Published 3 datasets" only when all three were.
    static func publicationHeading(published: Int, unchanged: Int, of total: Int) -> String {
        let failed = total - published - unchanged
        let others = [
            unchanged == 0 ? nil : "\(unchanged) unchanged", failed == 0 ? nil : "\(failed) not published",
        ].compactMap { $0 }
        if published == total { return "Published \(total) dataset\(total == 1 ? "" : "s")" }
        if published > 0 { return "Published \(published) of \(total) datasets (\(others.joined(separator: ", ")))" }
        if unchanged == total { return "No dataset published (\(total == 1 ? "it is" : "all \(total)") unchanged)" }
        return "No dataset published (\(others.joined(separator: ", ")))"
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var result = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    static func seconds(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) s"
    }

    /// 0.99987 → "99.987": a share as a percentage with three decimals, truncated so that a
    /// share short of all never reads as 100.
    static func percent(_ share: Double) -> String {
        let thousandths = Int((share * 100_000).rounded(.down))
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    static func byteSize(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// Rows laid out in columns two spaces apart.
    static func columns(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
