import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

/// A resident as `etl explain` shows it: its state, unified record, records and history.
public struct ResidentDetail: Sendable {
    public var number: Int64
    public var status: String
    public var createdRun: Int64
    public var updatedRun: Int64
    public var endedRun: Int64?
    public var mergedInto: Int64?
    /// Unified values in `CanonicalField` order.
    public var values: [String?]
    /// The provenance JSON the store keeps (see the README).
    public var provenance: String
    /// Its current records: source and key.
    public var records: [(source: String, key: String)]
    /// What happened to it, oldest first.
    /// What happened to it, oldest first: events of its own, and events of others that name
    /// it (`resident` tells which).
    public var events: [(run: Int64, kind: String, resident: Int64, other: Int64?, records: Int)]
}

extension StateStore {
    /// The resident with `number` in `pipeline`, or `nil`.
    public func resident(_ number: Int64, pipeline: String) throws(StoreError) -> ResidentDetail? {
        let select = try database.prepare(
            """
            SELECT status, created_run, updated_run, ended_run, merged_into, name, id_number, sex, birth_date, phone,
                address, provenance
            FROM residents WHERE id = ? AND pipeline = ?
            """)
        try select.bind([.integer(number), .text(pipeline)])
        guard try select.step() else { return nil }
        var detail = ResidentDetail(
            number: number, status: select.text(at: 0) ?? "", createdRun: Int64(select.int(at: 1) ?? 0),
            updatedRun: Int64(select.int(at: 2) ?? 0), endedRun: select.int(at: 3).map(Int64.init),
            mergedInto: select.int(at: 4).map(Int64.init), values: (5...10).map { select.text(at: Int32($0)) },
            provenance: select.text(at: 11) ?? "{}", records: [], events: [])
        let records = try database.prepare(
            """
            SELECT s.name, l.record_key FROM links l JOIN sources s ON s.id = l.source_id
            WHERE l.resident = ? AND s.pipeline = ? ORDER BY s.id, l.record_key
            """)
        try records.bind([.integer(number), .text(pipeline)])
        while try records.step() { detail.records.append((records.text(at: 0) ?? "", records.text(at: 1) ?? "")) }
        let events = try database.prepare(
            "SELECT run_id, kind, other, records, resident FROM resident_events WHERE resident = ? OR other = ? ORDER BY id"
        )
        try events.bind([.integer(number), .integer(number)])
        while try events.step() {
            detail.events.append(
                (
                    Int64(events.int(at: 0) ?? 0), events.text(at: 1) ?? "", Int64(events.int(at: 4) ?? 0),
                    events.int(at: 2).map(Int64.init), events.int(at: 3) ?? 0
                ))
        }
        return detail
    }

    /// The resident a current record of `source` with `key` belongs to, or `nil`.
    public func residentOf(source: String, key: String, pipeline: String) throws(StoreError) -> Int64? {
        try database.scalar(
            """
            SELECT l.resident FROM links l JOIN sources s ON s.id = l.source_id
            WHERE s.pipeline = ? AND s.name = ? AND l.record_key = ?
            """, [.text(pipeline), .text(source), .text(key)])?.int64
    }

    /// Records that someone was shown personal data: who (the login name and user ID), when,
    /// what for, and about whom (a resident ID or record keys, never values).
    public func audit(action: String, subject: String) throws(StoreError) {
        try database.run(
            "INSERT INTO audit_log (at, who, action, subject) VALUES (?, ?, ?, ?)",
            [.text(Timestamp.now()), .text(StateStore.currentUser), .text(action), .text(subject)])
    }

    /// Who is running etl: the login name and the user ID, for the audit log and decisions.
    public static var currentUser: String {
        let user = getenv("USER").map { String(cString: $0) } ?? getenv("LOGNAME").map { String(cString: $0) } ?? "?"
        return "\(user) (uid \(getuid()))"
    }

    /// The audit log, newest first.
    public func auditLog(limit: Int) throws(StoreError) -> [(at: String, who: String, action: String, subject: String)]
    {
        let select = try database.prepare("SELECT at, who, action, subject FROM audit_log ORDER BY id DESC LIMIT ?")
        try select.bind([.integer(Int64(limit))])
        var lines: [(at: String, who: String, action: String, subject: String)] = []
        while try select.step() {
            lines.append(
                (select.text(at: 0) ?? "", select.text(at: 1) ?? "", select.text(at: 2) ?? "", select.text(at: 3) ?? "")
            )
        }
        return lines
    }
}
