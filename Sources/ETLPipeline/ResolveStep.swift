import ETLCore
import ETLNormalise
import ETLStore
import Foundation

/// Resolves a pipeline's current staged records into residents and saves the result: the
/// step of a run between import and publish.
struct ResolveStep {
    let pipeline: Pipeline
    let store: StateStore
    /// The SHA-256 of what import and resolution read in the pipeline file, as the last
    /// resolution saw it (`nil`: none yet). When it differs, every unified record is chosen
    /// again, the rules for choosing them may have changed.
    var lastInputSHA256: String?
    /// Checked before the slow steps and before saving: a stop request ends the step with
    /// `RunStopped`, and nothing is saved.
    var stopRequested: @Sendable () -> String? = { nil }

    /// Resolves all current records of the pipeline's sources, under run `runID`.
    func run(runID: Int64) throws -> ResolveReport {
        let started = Timestamp.monotonicSeconds()
        // The records come in the order the resolver works in, a batch at a time, so that
        // only their places (source and key) are held here, not their values.
        var places = Places()
        var sourceIDs: [Int64] = []
        var previous: [Int64] = []  // 0: a new record (resident numbers start at 1)
        // Per record, the hash of its values and the run since which it has held them, and the
        // resident its stored link names with both (0: its link is to be written).
        var contents: [Int64] = []
        var since: [Int64] = []
        var stored: [Int64] = []
        let cursor = try store.resolvableRecords(
            pipeline: pipeline.name, inSourceOrder: pipeline.sources.map(\.name))
        var loading = 0.0
        let expected = try store.stagedCount(pipeline: pipeline.name)
        places.reserveCapacity(expected)
        sourceIDs.reserveCapacity(expected)
        previous.reserveCapacity(expected)
        contents.reserveCapacity(expected)
        since.reserveCapacity(expected)
        stored.reserveCapacity(expected)
        let resolution = try Resolver(settings: pipeline.resolve).resolve(expectedCount: expected) { limit in
            let reading = Timestamp.monotonicSeconds()
            defer { loading += Timestamp.monotonicSeconds() - reading }
            var batch: [ResolverInput] = []
            batch.reserveCapacity(limit)
            while batch.count < limit, let record = try cursor.next() {
                let link = LinkState(record)
                let input = ResolveStep.input(record, since: link.since, pipeline: pipeline)
                batch.append(input)
                places.append(source: input.source, key: input.key)
                sourceIDs.append(record.sourceID)
                previous.append(record.previousResident ?? 0)
                contents.append(link.content)
                since.append(link.since)
                stored.append(link.stored)
            }
            if batch.isEmpty, let signal = stopRequested() { throw RunStopped(signal: signal) }
            return batch
        } decisions: {
            try ResolveStep.decisions(try store.decisions(pipeline: pipeline.name), places: places, pipeline: pipeline)
        }
        let resolved = Timestamp.monotonicSeconds()
        if let signal = stopRequested() { throw RunStopped(signal: signal) }
        let active = try store.activeResidentSizes(pipeline: pipeline.name)
        let assignment = ResidentIDAssigner().assign(
            clusters: resolution.clusters, previous: previous.lazy.map { $0 == 0 ? nil : $0 }, active: active.map(\.id))
        previous = []
        // A resident that keeps its ID, its records and their values keeps its unified record,
        // unless the pipeline's rules for choosing it may have changed since it was chosen.
        var unchanged = [Bool](repeating: false, count: resolution.clusters.count)
        if lastInputSHA256 == pipeline.inputSHA256 {
            // Per resident number, its record count when last saved.
            var sizes = [Int32](repeating: -1, count: Int(active.map(\.id).max() ?? 0) + 1)
            for resident in active { sizes[Int(resident.id)] = Int32(resident.records) }
            for (index, kept) in assignment.kept.enumerated() {
                guard let kept, kept < sizes.count else { continue }
                unchanged[index] =
                    sizes[Int(kept)] == resolution.clusters.recordCount(of: index)
                    && resolution.clusters.allRecords(of: index) { stored[$0] == kept }
            }
        }
        var splitFrom = [Int: [Int64]]()
        for split in assignment.splits { splitFrom[split.cluster, default: []].append(split.from) }
        // Each unified record is chosen as the store writes it; the time it takes is counted
        // as its own phase.
        var choosing = 0.0
        let writes = ResidentWrites(
            kept: assignment.kept, records: { resolution.clusters[$0] },
            splitFrom: { splitFrom[$0] ?? [] }, unchanged: { unchanged[$0] }
        ) { index in
            let started = Timestamp.monotonicSeconds()
            defer { choosing += Timestamp.monotonicSeconds() - started }
            let golden = resolution.golden[index]
            return (
                golden.fields.map { $0?.value }, golden.region,
                ResolveStep.provenance(golden, places: places, pipeline: pipeline)
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let model = String(decoding: try encoder.encode(resolution.model), as: UTF8.self)
        let statistics = resolution.statistics
        let prepared = Timestamp.monotonicSeconds()
        _ = try store.saveResolution(
            run: runID, pipeline: pipeline.name,
            records: RecordLinks(
                sourceIDs: sourceIDs, keys: places.keys, contents: contents, since: since, stored: stored),
            residents: writes,
            merged: assignment.merged,
            retired: assignment.retired, model: model, statistics: ResolveStep.json(statistics))
        try store.saveReviewQueue(
            pipeline: pipeline.name, run: runID,
            pairs: resolution.review.map { a, b, weight in
                (ResolveStep.record(places[a], pipeline), ResolveStep.record(places[b], pipeline), weight)
            })
        let events = try store.residentEventCounts(run: runID)
        var report = ResolveReport(
            records: places.count, residents: resolution.clusters.count, candidatePairs: statistics.candidatePairs,
            reductionRatio: statistics.reductionRatio, links: statistics.links, created: events[.created] ?? 0,
            merged: events[.merged] ?? 0, split: events[.split] ?? 0, retired: events[.retired] ?? 0,
            keptApart: statistics.keptApartByValidIDs + statistics.keptApartByCannotLinks,
            leftAmbiguous: statistics.leftAmbiguous, unchanged: unchanged.count { $0 },
            seconds: Timestamp.monotonicSeconds() - started,
            // Reading overlaps standardising; each phase counts its own time.
            phases: [("load", loading)]
                + statistics.seconds.map { $0.phase == "standardise" ? ($0.phase, max(0, $0.seconds - loading)) : $0 }
                + [
                    ("assign", prepared - resolved), ("golden", choosing),
                    ("save", Timestamp.monotonicSeconds() - prepared - choosing),
                ])
        report.weightHistogram = statistics.weightHistogram
        report.thresholdWeight = pipeline.resolve.thresholdWeight
        report.separationWeight = pipeline.resolve.separationWeight
        report.reviewWeight = pipeline.resolve.reviewWeight
        for cluster in resolution.clusters { report.residentSizes[cluster.count, default: 0] += 1 }
        return report
    }

    /// Reviewers' decisions as the resolver takes them: pairs of record indices. A decision on
    /// a record that is no longer current has nothing to bind.
    static func decisions(
        _ stored: [StoredDecision], places: Places, pipeline: Pipeline
    ) throws -> [ReviewDecision] {
        guard !stored.isEmpty else { return [] }
        var index: [String: Int] = [:]
        for position in 0..<places.count {
            let record = ResolveStep.record(places[position], pipeline)
            index[record.source + "\u{1F}" + record.key] = position
        }
        return stored.compactMap { decision in
            guard let a = index[decision.first.source + "\u{1F}" + decision.first.key],
                let b = index[decision.second.source + "\u{1F}" + decision.second.key]
            else { return nil }
            return ReviewDecision(first: a, second: b, same: decision.same)
        }
    }

    /// A record's place: its source (by position in the pipeline) and its key.
    struct Place {
        var source: Int
        var key: String
    }

    /// The places of the records a resolution read, in the order it read them.
    struct Places {
        private var sources: [Int32] = []
        private(set) var keys: [String] = []

        var count: Int { keys.count }

        mutating func reserveCapacity(_ count: Int) {
            sources.reserveCapacity(count)
            keys.reserveCapacity(count)
        }

        mutating func append(source: Int, key: String) {
            sources.append(Int32(source))
            keys.append(key)
        }

        subscript(index: Int) -> Place {
            Place(source: Int(sources[index]), key: keys[index])
        }
    }

    /// A record's source name and key.
    static func record(_ place: Place, _ pipeline: Pipeline) -> (source: String, key: String) {
        (place.source < pipeline.sources.count ? pipeline.sources[place.source].name : "?", place.key)
    }

    /// The resolver's input for a record of the store: its source by its place in the pipeline,
    /// and as its run the one since which it has held its values (`since`), which is what
    /// "most recent" compares.
    static func input(_ record: ResolvableRecord, since: Int64, pipeline: Pipeline) -> ResolverInput {
        ResolverInput(
            source: pipeline.sources.firstIndex { $0.name == record.source } ?? pipeline.sources.count,
            key: record.key, name: record.fields.name, idNumber: record.fields.idNumber, sexCode: record.sexCode,
            birthDate: record.birthDateISO, phone: record.fields.phone, address: record.fields.address,
            runID: since)
    }

    /// What a record's link is to hold besides its resident: the hash of the values
    /// resolution reads from it, and the run since which it has held them (its own run when
    /// they changed, or when it is new); and the resident its stored link already names with
    /// both, or 0 when its link is to be written.
    struct LinkState {
        var content: Int64
        var since: Int64
        var stored: Int64

        init(_ record: ResolvableRecord) {
            content =
                record.content
                ?? RecordContent.of(
                    record.fields, sexCode: record.sexCode?.rawValue, birthDateISO: record.birthDateISO)
            if record.previousContent == content, let previousSince = record.previousSince {
                since = previousSince
                stored = record.previousResident ?? 0
            } else {
                since = record.runID
                stored = 0
            }
        }
    }

    /// Which source record supplied each unified field, as the store keeps it:
    /// `{"records": ["social_security:SB001", …], "fields": [0, 1, 0, 0, null, 1]}`, the fields
    /// in the order name, idNumber, sex, birthDate, phone, address, each an index into
    /// `records` (`null` where no record has the field). Each record is named once.
    static func provenance(_ golden: GoldenRecord, places: Places, pipeline: Pipeline) -> String {
        var records: [Int] = []
        var fields = "["
        for (position, chosen) in golden.fields.enumerated() {
            if position > 0 { fields += ", " }
            guard let chosen else {
                fields += "null"
                continue
            }
            let index = records.firstIndex(of: chosen.record) ?? records.count
            if index == records.count { records.append(chosen.record) }
            fields += String(index)
        }
        let names = records.map { JSONWriter.string(name(places[$0], pipeline: pipeline)) }
        return "{\"records\": [" + names.joined(separator: ", ") + "], \"fields\": " + fields + "]}"
    }

    /// `source:key`, naming a record without its values.
    static func name(_ place: Place, pipeline: Pipeline) -> String {
        let record = record(place, pipeline)
        return record.source + ":" + record.key
    }

    /// The statistics as the JSON the store keeps beside the model.
    static func json(_ statistics: ResolutionStatistics) -> String {
        var text = "{\"records\": \(statistics.records), \"candidatePairs\": \(statistics.candidatePairs), "
        text += "\"reductionRatio\": \(statistics.reductionRatio), \"cappedBlocks\": \(statistics.cappedBlocks), "
        text += "\"pairsPerKey\": {"
        text +=
            statistics.pairsPerKey.sorted { $0.key < $1.key }.map { "\(JSONWriter.string($0.key)): \($0.value)" }
            .joined(separator: ", ") + "}, "
        text += "\"links\": \(statistics.links), \"residents\": \(statistics.residents), "
        text += "\"keptApartByValidIDs\": \(statistics.keptApartByValidIDs), "
        text += "\"keptApartByCannotLinks\": \(statistics.keptApartByCannotLinks), "
        text += "\"leftAmbiguous\": \(statistics.leftAmbiguous), "
        text +=
            "\"weightHistogram\": {\"from\": -40, \"counts\": [\(statistics.weightHistogram.map(String.init).joined(separator: ", "))]}, "
        text += "\"seconds\": {"
        text += statistics.seconds.map { "\(JSONWriter.string($0.phase)): \($0.seconds)" }.joined(separator: ", ")
        return text + "}}"
    }
}

/// What resolution did in a run, for the summary. Holds no personal data.
public struct ResolveReport: Sendable {
    public var records: Int
    public var residents: Int
    public var candidatePairs: Int
    public var reductionRatio: Double
    public var links: Int
    public var created: Int
    public var merged: Int
    public var split: Int
    public var retired: Int
    /// Merges the hard constraints refused, and groups left apart as ambiguous.
    public var keptApart: Int
    public var leftAmbiguous: Int
    /// Residents that kept their ID, records and values: nothing was written for them.
    public var unchanged: Int
    public var seconds: Double
    /// Seconds per phase: load, standardise, block, compare, estimate, score, cluster, residents,
    /// assign, golden, save.
    public var phases: [(phase: String, seconds: Double)]
    /// Compared pairs per whole bit of match weight, from -40 (and below) to +40 (and above).
    public var weightHistogram: [Int] = []
    /// The threshold, the separation weight and the bottom of the review band, in bits.
    public var thresholdWeight = 0.0
    public var separationWeight = 0.0
    public var reviewWeight = 0.0
    /// Residents per number of records.
    public var residentSizes: [Int: Int] = [:]
}
