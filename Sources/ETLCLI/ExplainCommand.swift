import ETLCore
import ETLPipeline

/// `etl explain <pipeline> <resident-id>` and `etl explain <pipeline> <source:key> <source:key>`:
/// why records are (or are not) one resident, field by field.
struct ExplainCommand {
    let console: Console

    func run(_ arguments: ParsedArguments, spec: CommandSpec) throws(UsageError) -> ExitCode {
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoading(console: console).load(arguments.positional[0])
        } catch {
            return error.code
        }
        let reveal = arguments.flags.contains("--reveal")
        let explainer = Explainer(pipeline: pipeline, stateFolder: ETLCommand.stateFolder(arguments))
        do {
            switch arguments.positional.count {
            case 2:
                console.out(text(try explainer.explain(resident: arguments.positional[1], reveal: reveal)))
            case 3:
                for place in arguments.positional[1...] where !place.contains(":") {
                    throw UsageError(
                        message:
                            "'\(place)' is not a record; name one as source:key, such as social_security:SB00100001",
                        command: spec)
                }
                let pair = try explainer.explain(arguments.positional[1], arguments.positional[2], reveal: reveal)
                console.out(text(pair, revealed: reveal))
            default:
                throw UsageError(
                    message: "Give a resident ID, or two records as source:key, after the pipeline", command: spec)
            }
        } catch let error as UsageError {
            throw error
        } catch {
            console.err("Error: \(error)")
            return .failure
        }
        return .success
    }

    private static let fieldNames = ["name", "idNumber", "sex", "birthDate", "phone", "address"]

    private func text(_ explanation: Explainer.ResidentExplanation) -> String {
        let detail = explanation.detail
        var lines = [
            "Resident \(explanation.residentID): \(detail.status), created in run \(detail.createdRun), last changed in run \(detail.updatedRun)"
                + (detail.endedRun.map { ", ended in run \($0)" } ?? "")
                + (detail.mergedInto.map { " (merged into \(Explainer.residentID($0)))" } ?? ""),
            "",
            "Unified record"
                + (explanation.revealed
                    ? " (revealed; this was written to the audit log):" : " (masked; --reveal shows the values):"),
        ]
        let fieldRows = explanation.fields.map { field, value, from in
            ["  " + field.rawValue, value ?? "-", from.map { "from " + $0 } ?? ""]
        }
        lines.append(Summary.columns(fieldRows, rightAligned: []))
        lines.append("")
        lines.append("Records (\(explanation.records.count)):")
        lines.append(Summary.columns(recordRows(explanation.records), rightAligned: []))
        lines.append("")
        let links = explanation.pairs.filter(\.diagnosis.isLink)
        lines.append(
            "Pairs of its records that blocking compared: \(explanation.pairs.count), of which \(links.count) are links"
        )
        for pair in explanation.pairs {
            lines.append("")
            lines += pairLines(pair)
        }
        lines.append("")
        lines.append("History:")
        for event in detail.events {
            let other = event.other.map { Explainer.residentID($0) }
            let subject = Explainer.residentID(event.resident)
            let own = event.resident == detail.number
            let text: String
            switch (event.kind, own) {
            case ("created", _): text = "created with \(event.records) records"
            case ("merged", true): text = "merged into \(other ?? "?")"
            case ("merged", false): text = "took in \(subject), which was merged into it"
            case ("split", true): text = "split from \(other ?? "?") with \(event.records) records"
            case ("split", false): text = "\(subject) split from it with \(event.records) records"
            case ("retired", _): text = "retired (no records left)"
            default: text = event.kind
            }
            lines.append("  run \(event.run): \(text)")
        }
        return lines.joined(separator: "\n")
    }

    private func text(_ pair: Explainer.PairView, revealed: Bool) -> String {
        var lines = [
            "Records"
                + (revealed
                    ? " (revealed; this was written to the audit log):" : " (masked; --reveal shows the values):")
        ]
        lines.append(Summary.columns(recordRows([pair.first, pair.second]), rightAligned: []))
        lines.append("")
        lines += pairLines(pair)
        lines.append("")
        let same = pair.first.resident != nil && pair.first.resident == pair.second.resident
        lines.append(
            same
                ? "Verdict: one resident, \(pair.first.resident!)"
                : "Verdict: not one resident (\(pair.first.resident ?? "none") and \(pair.second.resident ?? "none"))")
        return lines.joined(separator: "\n")
    }

    func recordRows(_ records: [Explainer.RecordView]) -> [[String]] {
        [["  RECORD", "RESIDENT"] + ExplainCommand.fieldNames]
            + records.map { record in
                ["  " + record.place, record.resident ?? "-"] + record.values.map { $0 ?? "-" }
            }
    }

    /// A pair's verdict line and its field-by-field table.
    func pairLines(_ pair: Explainer.PairView) -> [String] {
        let diagnosis = pair.diagnosis
        var lines: [String] = []
        let weight = ExplainCommand.bits(diagnosis.weight)
        let probability = ExplainCommand.probability(diagnosis.probability)
        let keys = diagnosis.blockingKeys.map(\.name).joined(separator: ", ")
        lines.append(
            "\(pair.first.place) ~ \(pair.second.place): weight \(weight) bits (match probability \(probability)); threshold \(ExplainCommand.bits(diagnosis.thresholdWeight)) bits"
        )
        lines.append(
            "  compared because they share: " + (diagnosis.compared ? keys : "nothing; blocking never compared them"))
        var rows = [["  FIELD", "LEVEL", "M", "U", "WEIGHT", "TERM FREQUENCY"]]
        rows.append(["  prior", "", "", "", ExplainCommand.bits(diagnosis.priorWeight), ""])
        for field in diagnosis.fields {
            rows.append([
                "  " + field.field.name, field.field.levels[field.level], ExplainCommand.share(field.m),
                ExplainCommand.share(field.u), ExplainCommand.bits(field.weight),
                field.termFrequencyAdjustment == 0 ? "" : ExplainCommand.bits(field.termFrequencyAdjustment),
            ])
        }
        rows.append(["  total", "", "", "", weight, ""])
        lines.append(Summary.columns(rows, rightAligned: [2, 3, 4, 5]))
        if diagnosis.differentValidIDs {
            lines.append("  hard constraint: two different valid ID numbers are never one resident")
        }
        if !diagnosis.hasEvidenceOfIdentity {
            lines.append(
                "  hard constraint: no evidence of identity (an ID number that agrees, or a close name with a birth date that does not differ and no sex disagreement); kept apart"
            )
        }
        if diagnosis.sharesValidID && diagnosis.weight < diagnosis.thresholdWeight {
            lines.append("  the same valid ID number links them whatever the weight")
        }
        lines.append("  " + (pair.diagnosis.isLink ? "a link" : "not a link"))
        return lines
    }

    static func bits(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return (tenths < 0 ? "-" : "+") + "\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }

    /// A probability with three decimals: `0.975`, `<0.001`.
    static func share(_ value: Double) -> String {
        guard value >= 0.0005 else { return "<0.001" }
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    static func probability(_ value: Double) -> String {
        if value > 0.999_999 { return ">0.999999" }
        if value < 0.000_001 { return "<0.000001" }
        let millionths = Int((value * 1_000_000).rounded())
        let digits = String(millionths)
        return "0." + String(repeating: "0", count: 6 - digits.count) + digits
    }
}
