import ETLCore

/// A current staged record as resolution reads it, with the resident it belonged to after
/// the last resolution.
public struct ResolvableRecord: Sendable, Equatable {
    public var sourceID: Int64
    public var source: String
    public var key: String
    public var fields: CanonicalValues
    public var sexCode: SexCode?
    public var birthDateISO: String?
    public var runID: Int64
    /// The hash of the values resolution reads from it (`RecordContent`), as staged; `nil`
    /// for a record staged before the store kept it.
    public var content: Int64?
    /// The resident (its number) the record was linked to, or `nil` for a new record.
    public var previousResident: Int64?
    /// What its link held after the last resolution: the hash of its values then (see
    /// `RecordLinks.contents`) and the run since which it had held them; `nil` for a new
    /// record, or one last resolved before links held them.
    public var previousContent: Int64?
    public var previousSince: Int64?
}

/// What a resolution writes for one resident.
public struct ResidentWrite: Sendable {
    /// The earlier resident it continues, or `nil` for a new one.
    public var kept: Int64?
    /// Unified values in `CanonicalField` order.
    public var values: [String?]
    /// The six-digit region code of the unified address, when it names its district or city.
    public var region: String?
    /// A JSON object naming, per unified field, the source record that supplied it.
    public var provenance: String
    /// Its records, as indices into the records `resolvableRecords` gave.
    public var records: [Int]
    /// The earlier residents whose records it took, without keeping their ID.
    public var splitFrom: [Int64]

    public init(
        kept: Int64?, values: [String?], region: String?, provenance: String, records: [Int], splitFrom: [Int64]
    ) {
        self.kept = kept
        self.values = values
        self.region = region
        self.provenance = provenance
        self.records = records
        self.splitFrom = splitFrom
    }
}

/// The residents a resolution writes, each part asked for when it is written: the unified
/// records of a large register are made one at a time, never all held at once.
public struct ResidentWrites {
    /// Per resident, the earlier resident it continues, or `nil` for a new one.
    public var kept: [Int64?]
    /// Resident `i`'s records, as indices into the records `resolvableRecords` gave.
    public var records: (Int) -> [Int]
    /// The earlier residents whose records resident `i` took, without keeping their ID.
    public var splitFrom: (Int) -> [Int64]
    /// Resident `i`'s unified values, region and provenance (see `ResidentWrite`); asked for
    /// once per resident, and not for an unchanged one.
    public var unified: (Int) -> (values: [String?], region: String?, provenance: String)
    /// Whether resident `i` continues its earlier resident with the same records, none of them
    /// changed, so that its stored unified record is still right: nothing is written for it.
    public var unchanged: (Int) -> Bool

    /// The number of residents.
    public var count: Int { kept.count }

    public init(
        kept: [Int64?], records: @escaping (Int) -> [Int], splitFrom: @escaping (Int) -> [Int64],
        unchanged: @escaping (Int) -> Bool = { _ in false },
        unified: @escaping (Int) -> (values: [String?], region: String?, provenance: String)
    ) {
        self.kept = kept
        self.records = records
        self.splitFrom = splitFrom
        self.unchanged = unchanged
        self.unified = unified
    }

    /// The writes of a list of residents.
    public init(_ residents: [ResidentWrite]) {
        self.init(
            kept: residents.map(\.kept), records: { residents[$0].records },
            splitFrom: { residents[$0].splitFrom },
            unified: { (residents[$0].values, residents[$0].region, residents[$0].provenance) })
    }
}

/// The records a resolution read, in the order `resolvableRecords` gave them, with what each
/// one's link is to hold besides its resident.
public struct RecordLinks: Sendable {
    public var sourceIDs: [Int64]
    public var keys: [String]
    /// Per record, a hash of the values resolution read from it: a record re-exported with
    /// the same values has the same hash.
    public var contents: [Int64]
    /// Per record, the run since which it has held those values.
    public var since: [Int64]
    /// Per record, the resident its stored link already names with this content and run, or
    /// 0 when its link is to be written whatever its resident.
    public var stored: [Int64]

    /// The number of records.
    public var count: Int { keys.count }

    public init(sourceIDs: [Int64], keys: [String], contents: [Int64], since: [Int64], stored: [Int64]) {
        precondition(
            [sourceIDs.count, contents.count, since.count, stored.count].allSatisfy { $0 == keys.count },
            "one entry per record")
        self.sourceIDs = sourceIDs
        self.keys = keys
        self.contents = contents
        self.since = since
        self.stored = stored
    }

    /// Records whose links are all to be written, with no content hash.
    public init(sourceIDs: [Int64], keys: [String], run: Int64) {
        self.init(
            sourceIDs: sourceIDs, keys: keys, contents: Array(repeating: 0, count: keys.count),
            since: Array(repeating: run, count: keys.count), stored: Array(repeating: 0, count: keys.count))
    }
}

/// A resident as `etl links` and later stages read it.
public struct ResidentLink: Sendable, Equatable {
    public var source: String
    public var key: String
    public var residentID: String
}

/// What happened to residents in a run.
public enum ResidentEventKind: String, Sendable, CaseIterable {
    case created
    case merged
    case split
    case retired
}

extension StateStore {
    /// The text form of a resident number: `R` and ten digits. Opaque: a sequence number,
    /// never derived from personal data.
    public static func residentID(_ number: Int64) -> String {
        let digits = String(number)
        return "R" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    /// The number of a resident ID written as `residentID` gives it, or `nil`.
    public static func residentNumber(_ id: String) -> Int64? {
        guard id.utf8.first == UInt8(ascii: "R") else { return nil }
        return Int64(id.dropFirst())
    }

    /// A cursor over every record currently staged for `pipeline`, with the resident it
    /// belonged to after the last resolution.
    public func resolvableRecords(pipeline: String) throws(StoreError) -> ResolvableRecordCursor {
        let select = try database.prepare(StateStore.resolvableSelect + "WHERE s.pipeline = ?")
        try select.bind([.text(pipeline)])
        return ResolvableRecordCursor(statements: [select])
    }

    /// The same records as `resolvableRecords(pipeline:)`, in order: the sources named in
    /// `sources` first, in that order, then any other source of the pipeline; within each, by
    /// record key (byte order). Read through the record-key index, without sorting.
    public func resolvableRecords(
        pipeline: String, inSourceOrder sources: [String]
    ) throws(StoreError) -> ResolvableRecordCursor {
        var statements: [Statement] = []
        for source in sources {
            let select = try database.prepare(
                StateStore.resolvableSelect + "WHERE s.pipeline = ? AND s.name = ? ORDER BY r.record_key")
            try select.bind([.text(pipeline), .text(source)])
            statements.append(select)
        }
        let others = try database.prepare(
            StateStore.resolvableSelect + "WHERE s.pipeline = ? AND s.name NOT IN ("
                + sources.map { _ in "?" }.joined(separator: ", ") + ") ORDER BY r.record_key, s.id")
        try others.bind([.text(pipeline)] + sources.map { .text($0) })
        statements.append(others)
        return ResolvableRecordCursor(statements: statements)
    }

    private static let resolvableSelect = """
        SELECT s.id, s.name, r.record_key, r.name, r.id_number, r.sex, r.birth_date, r.phone, r.address,
            r.sex_code, r.birth_date_iso, r.run_id, l.resident, l.content, l.since_run, r.content
        FROM sources s JOIN staged_records r ON r.source_id = s.id AND r.run_id = s.current_run_id
        LEFT JOIN links l ON l.source_id = r.source_id AND l.record_key = r.record_key

        """

    /// The residents of `pipeline` that are active (not merged or retired).
    public func activeResidents(pipeline: String) throws(StoreError) -> [Int64] {
        try activeResidentSizes(pipeline: pipeline).map(\.id)
    }

    /// The residents of `pipeline` that are active, each with its number of records.
    public func activeResidentSizes(pipeline: String) throws(StoreError) -> [(id: Int64, records: Int)] {
        let select = try database.prepare(
            "SELECT id, records FROM residents WHERE pipeline = ? AND status = 'active'")
        try select.bind([.text(pipeline)])
        var residents: [(id: Int64, records: Int)] = []
        while try select.step() { residents.append((Int64(select.int(at: 0) ?? 0), select.int(at: 1) ?? 0)) }
        return residents
    }

    /// Saves a resolution in one transaction: the residents (new ones get the next numbers),
    /// the merges, splits and retirements, every current record's link, and the model. Until it
    /// commits, readers see the previous resolution whole. Returns each resident's number, in
    /// the order of `residents`.
    public func saveResolution(
        run runID: Int64, pipeline: String, sourceIDs: [Int64], keys: [String], residents: [ResidentWrite],
        merged: [(absorbed: Int64, into: Int64)], retired: [Int64], model: String, statistics: String
    ) throws -> [Int64] {
        try saveResolution(
            run: runID, pipeline: pipeline, records: RecordLinks(sourceIDs: sourceIDs, keys: keys, run: runID),
            residents: ResidentWrites(residents), merged: merged, retired: retired, model: model,
            statistics: statistics)
    }

    /// Saves a resolution as `saveResolution(…residents: [ResidentWrite]…)` does, asking for
    /// each resident's parts as it writes them. A resident `residents.unchanged` names is not
    /// written, nor a link that already holds what it would be given: a night on which few
    /// records changed writes little.
    public func saveResolution(
        run runID: Int64, pipeline: String, records: RecordLinks, residents: ResidentWrites,
        merged: [(absorbed: Int64, into: Int64)], retired: [Int64], model: String, statistics: String
    ) throws -> [Int64] {
        let keys = records.keys
        // The transaction writes a few hundred megabytes at a million records; with the usual
        // page cache it would spill pages to the log and read them back many times.
        try database.execute("PRAGMA cache_size = -262144")
        defer { try? database.execute("PRAGMA cache_size = -16384") }
        return try inTransaction {
            // New residents get the next numbers of the sequence; numbering them here lets
            // them go in many rows per statement.
            var next = Int64(try database.scalar("SELECT coalesce(max(id), 0) FROM residents")?.int64 ?? 0) + 1
            let insert = try BatchInsert(
                database,
                """
                INSERT INTO residents (id, pipeline, status, created_run, updated_run, records, name, id_number, sex,
                    birth_date, phone, address, region, provenance)
                """, columns: 14)
            let update = try database.prepare(
                """
                UPDATE residents SET updated_run = ?1, records = ?2, name = ?3, id_number = ?4, sex = ?5,
                    birth_date = ?6, phone = ?7, address = ?8, region = ?9, provenance = ?10
                WHERE id = ?11 AND (records != ?2 OR name IS NOT ?3 OR id_number IS NOT ?4 OR sex IS NOT ?5
                    OR birth_date IS NOT ?6 OR phone IS NOT ?7 OR address IS NOT ?8 OR region IS NOT ?9
                    OR provenance != ?10)
                """)
            let events = try BatchInsert(
                database, "INSERT INTO resident_events (run_id, pipeline, kind, resident, other, records)",
                columns: 6, rowsPerStatement: 64)
            func record(_ kind: ResidentEventKind, _ resident: Int64, _ other: Int64?, _ count: Int) throws(StoreError)
            {
                try events.add { row in
                    row += [
                        .integer(runID), .text(pipeline), .text(kind.rawValue), .integer(resident),
                        other.map { .integer($0) } ?? .null, .integer(Int64(count)),
                    ]
                }
            }
            var numbers = residents.kept.map { $0 ?? 0 }
            // Per resident, its records (as indices into `keys`), gathered once.
            var residentOf = [Int32](repeating: 0, count: keys.count)
            var sizes = [Int32](repeating: 0, count: residents.count)
            for index in 0..<residents.count {
                let records = residents.records(index)
                sizes[index] = Int32(records.count)
                for record in records { residentOf[record] = Int32(index) }
            }
            // Residents that go on are updated in the order of their numbers, which is the
            // table's order, so that each page is visited once.
            for index in (0..<residents.count).filter({ residents.kept[$0] != nil && !residents.unchanged($0) })
                .sorted(by: { numbers[$0] < numbers[$1] })
            {
                let unified = residents.unified(index)
                let values: [SQLValue] = unified.values.map { $0.map { .text($0) } ?? .null }
                try update.bind(
                    [.integer(runID), .integer(Int64(sizes[index]))] + values + [
                        unified.region.map { .text($0) } ?? .null, .text(unified.provenance),
                        .integer(numbers[index]),
                    ])
                try update.run()
            }
            for index in 0..<residents.count where residents.kept[index] == nil {
                numbers[index] = next
                next += 1
                let unified = residents.unified(index)
                try insert.add { row in
                    row += [
                        .integer(numbers[index]), .text(pipeline), .text("active"), .integer(runID), .integer(runID),
                        .integer(Int64(sizes[index])),
                    ]
                    for value in unified.values { row.append(value.map { .text($0) } ?? .null) }
                    row.append(unified.region.map { .text($0) } ?? .null)
                    row.append(.text(unified.provenance))
                }
                try record(.created, numbers[index], nil, Int(sizes[index]))
            }
            try insert.finish()
            for index in 0..<residents.count {
                for earlier in residents.splitFrom(index) {
                    try record(.split, numbers[index], earlier, Int(sizes[index]))
                }
            }
            let end = try database.prepare(
                "UPDATE residents SET status = ?, ended_run = ?, merged_into = ?, records = 0 WHERE id = ?")
            for (absorbed, into) in merged {
                try end.bind([.text("merged"), .integer(runID), .integer(into), .integer(absorbed)])
                try end.run()
                try record(.merged, absorbed, into, 0)
            }
            for resident in retired {
                try end.bind([.text("retired"), .integer(runID), .null, .integer(resident)])
                try end.run()
                try record(.retired, resident, nil, 0)
            }
            try events.finish()
            try saveLinks(pipeline: pipeline, records: records) { numbers[Int(residentOf[$0])] }
            try database.run(
                "INSERT INTO match_models (run_id, pipeline, model, statistics, inputs) VALUES (?, ?, ?, ?, ?)",
                [.integer(runID), .text(pipeline), .text(model), .text(statistics), .text(try currentInputs(pipeline))])
            return numbers
        }
    }

    /// Writes the link of each of `records` to resident `resident(record)`, and deletes the
    /// links of records no longer current. When few links change, only those are written;
    /// otherwise the links are replaced whole, which is then cheaper than finding them.
    private func saveLinks(
        pipeline: String, records: RecordLinks, resident: (Int) -> Int64
    ) throws(StoreError) {
        let keys = records.keys
        let sourceIDs = records.sourceIDs
        let changing = (0..<records.count).filter { records.stored[$0] != resident($0) }
        let whole = changing.count * 4 > records.count
        if whole {
            // The index by resident is dropped and built again after the rows are in: filling
            // it row by row, in no order, costs many times more.
            try database.run("DROP INDEX IF EXISTS links_resident")
            try database.run(
                "DELETE FROM links WHERE source_id IN (SELECT id FROM sources WHERE pipeline = ?)", [.text(pipeline)])
        } else {
            let delete = try database.prepare("DELETE FROM links WHERE source_id = ? AND record_key = ?")
            for link in try linksOfGoneRecords(pipeline: pipeline) {
                try delete.bind([.integer(link.source), .text(link.key)])
                try delete.run()
            }
        }
        // In key order, the table's order, many rows per statement.
        let order = (whole ? Array(0..<records.count) : changing).sorted { a, b in
            sourceIDs[a] != sourceIDs[b]
                ? sourceIDs[a] < sourceIDs[b] : keys[a].utf8.lexicographicallyPrecedes(keys[b].utf8)
        }
        let links = try BatchInsert(
            database,
            "INSERT OR REPLACE INTO links (source_id, record_key, resident, content, since_run)",
            columns: 5, rowsPerStatement: 64)
        for index in order {
            try links.add { row in
                row += [
                    .integer(sourceIDs[index]), .text(keys[index]), .integer(resident(index)),
                    .integer(records.contents[index]), .integer(records.since[index]),
                ]
            }
        }
        try links.finish()
        if whole { try database.run("CREATE INDEX links_resident ON links (resident)") }
    }

    /// Every current record of `pipeline` with its resident ID, by source (in `sources` order)
    /// and key.
    public func links(pipeline: String) throws(StoreError) -> [ResidentLink] {
        let select = try database.prepare(
            """
            SELECT s.name, r.record_key, l.resident
            FROM sources s JOIN staged_records r ON r.source_id = s.id AND r.run_id = s.current_run_id
            JOIN links l ON l.source_id = r.source_id AND l.record_key = r.record_key
            WHERE s.pipeline = ?
            ORDER BY s.id, r.record_key
            """)
        try select.bind([.text(pipeline)])
        var links: [ResidentLink] = []
        while try select.step() {
            links.append(
                ResidentLink(
                    source: select.text(at: 0) ?? "", key: select.text(at: 1) ?? "",
                    residentID: StateStore.residentID(Int64(select.int(at: 2) ?? 0))))
        }
        return links
    }

    /// How many events of each kind a run recorded.
    public func residentEventCounts(run runID: Int64) throws(StoreError) -> [ResidentEventKind: Int] {
        let select = try database.prepare("SELECT kind, count(*) FROM resident_events WHERE run_id = ? GROUP BY kind")
        try select.bind([.integer(runID)])
        var counts: [ResidentEventKind: Int] = [:]
        while try select.step() {
            if let kind = select.text(at: 0).flatMap(ResidentEventKind.init(rawValue:)) {
                counts[kind] = select.int(at: 1) ?? 0
            }
        }
        return counts
    }

    /// The match model saved by the latest run of `pipeline` that resolved, as JSON.
    public func latestModel(pipeline: String) throws(StoreError) -> (run: Int64, model: String, statistics: String)? {
        let select = try database.prepare(
            "SELECT run_id, model, statistics FROM match_models WHERE pipeline = ? ORDER BY run_id DESC LIMIT 1")
        try select.bind([.text(pipeline)])
        guard try select.step() else { return nil }
        return (Int64(select.int(at: 0) ?? 0), select.text(at: 1) ?? "", select.text(at: 2) ?? "")
    }
}

/// Streams the records a resolution reads; `next()` throws on a database error.
public final class ResolvableRecordCursor {
    /// Read one after the other.
    private var statements: [Statement]
    private var current = 0
    private var sourceNames: [Int64: String] = [:]

    init(statements: [Statement]) {
        self.statements = statements
    }

    /// The next record, or `nil` after the last.
    public func next() throws(StoreError) -> ResolvableRecord? {
        while current < statements.count, try !statements[current].step() { current += 1 }
        guard current < statements.count else { return nil }
        let statement = statements[current]
        let sourceID = Int64(statement.int(at: 0) ?? 0)
        let source: String
        if let name = sourceNames[sourceID] {
            source = name
        } else {
            source = statement.text(at: 1) ?? ""
            sourceNames[sourceID] = source
        }
        var fields = CanonicalValues()
        for (offset, field) in CanonicalField.allCases.enumerated() {
            fields[field] = statement.text(at: Int32(3 + offset))
        }
        return ResolvableRecord(
            sourceID: sourceID, source: source, key: statement.text(at: 2) ?? "", fields: fields,
            sexCode: statement.text(at: 9).flatMap(SexCode.init(rawValue:)), birthDateISO: statement.text(at: 10),
            runID: Int64(statement.int(at: 11) ?? 0), content: statement.int(at: 15).map(Int64.init),
            previousResident: statement.int(at: 12).map(Int64.init),
            previousContent: statement.int(at: 13).map(Int64.init),
            previousSince: statement.int(at: 14).map(Int64.init))
    }
}
