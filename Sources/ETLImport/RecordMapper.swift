import ETLCore

/// A record as a reader saw it: the values of the fields the pipeline uses, by slot.
struct RawRecord {
    var values: [String?]
    var location: RecordLocation
}

/// What a reader yields: a record to map, or a reject.
enum RawItem {
    case record(RawRecord)
    case reject(Reject)
}

/// The source fields a pipeline uses, numbered: readers fill values by slot, so that only
/// these fields are decoded and no per-record dictionary is built.
struct FieldSlots {
    let names: [String]
    private let index: [String: Int]

    init(spec: SourceSpec) {
        var names: [String] = []
        var index: [String: Int] = [:]
        func add(_ name: String) {
            guard index[name] == nil else { return }
            index[name] = names.count
            names.append(name)
        }
        add(spec.key)
        for field in CanonicalField.allCases {
            guard let mapping = spec.fields[field] else { continue }
            mapping.sources.forEach(add)
            if let condition = mapping.condition { add(condition.field) }
        }
        spec.payload.forEach(add)
        self.names = names
        self.index = index
    }

    func slot(of name: String) -> Int? { index[name] }
}

/// Turns raw records into canonical `SourceRecord`s: joins parts, applies conditions, the
/// sex value map and the date formats, and rejects records without a key.
struct RecordMapper {
    private let spec: SourceSpec
    private let slots: FieldSlots
    private let keySlot: Int
    private let fieldPlans: [(CanonicalField, [Int], String, (slot: Int, values: Set<String>)?)]
    private let payloadSlots: [(String, Int)]

    init(spec: SourceSpec, slots: FieldSlots) {
        self.spec = spec
        self.slots = slots
        keySlot = slots.slot(of: spec.key)!
        fieldPlans = CanonicalField.allCases.compactMap { field in
            guard let mapping = spec.fields[field] else { return nil }
            let condition = mapping.condition.map { (slot: slots.slot(of: $0.field)!, values: Set($0.values)) }
            return (field, mapping.sources.map { slots.slot(of: $0)! }, mapping.separator, condition)
        }
        payloadSlots = spec.payload.map { ($0, slots.slot(of: $0)!) }
    }

    func map(_ raw: RawRecord) -> ImportItem {
        guard let key = raw.values[keySlot], !key.isEmpty else {
            return .reject(
                Reject(location: raw.location, reason: .missingRecordKey(field: spec.key), raw: rawText(raw)))
        }
        var fields = CanonicalValues()
        for (field, sources, separator, condition) in fieldPlans {
            if let condition, !condition.values.contains(raw.values[condition.slot] ?? "") { continue }
            if sources.count == 1 {
                fields[field] = raw.values[sources[0]]
            } else {
                let parts = sources.compactMap { raw.values[$0] }.filter { !$0.isEmpty }
                fields[field] = parts.isEmpty ? nil : parts.joined(separator: separator)
            }
        }
        let sexCode = fields[.sex].flatMap { spec.sexValues[$0] }
        let birthDate = fields[.birthDate].flatMap { text in
            spec.dateFormats.lazy.compactMap { $0.isoDate(from: text) }.first
        }
        let payload = payloadSlots.map { PayloadValue(name: $0.0, value: raw.values[$0.1]) }
        return .record(
            SourceRecord(
                key: key, fields: fields, sexCode: sexCode, birthDateISO: birthDate, payload: payload,
                location: raw.location))
    }

    /// The raw values as a JSON object, for the reject's raw text.
    func rawText(_ raw: RawRecord) -> String {
        JSONWriter.object(Array(zip(slots.names, raw.values)))
    }
}
