import ETLCore

/// What a reader yields: a record, whose values are in the reader's `FieldArena`, or a reject.
enum RawItem {
    case record(RecordLocation)
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

/// Turns raw records into staged rows: joins parts, applies conditions, the sex value map
/// and the date formats, and encodes the payload, all on bytes; rejects records without a key.
struct RecordMapper {
    private struct FieldPlan {
        var column: RowBatch.Column
        var sources: [Int]
        var separator: [UInt8]
        var condition: (slot: Int, values: [[UInt8]])?
    }

    private let spec: SourceSpec
    private let slots: FieldSlots
    private let keySlot: Int
    private let plans: [FieldPlan]
    private let sexPlanIndex: Int?
    private let birthDatePlanIndex: Int?
    private let sexValues: [([UInt8], [UInt8])]
    /// The slot of each payload field, in order.
    private let payload: [Int]

    init(spec: SourceSpec, slots: FieldSlots) {
        self.spec = spec
        self.slots = slots
        keySlot = slots.slot(of: spec.key)!
        plans = CanonicalField.allCases.compactMap { field in
            guard let mapping = spec.fields[field] else { return nil }
            let condition = mapping.condition.map {
                (slot: slots.slot(of: $0.field)!, values: $0.values.map { Array($0.utf8) })
            }
            return FieldPlan(
                column: RowBatch.Column(field), sources: mapping.sources.map { slots.slot(of: $0)! },
                separator: Array(mapping.separator.utf8), condition: condition)
        }
        sexPlanIndex = plans.firstIndex { $0.column == .sex }
        birthDatePlanIndex = plans.firstIndex { $0.column == .birthDate }
        sexValues = spec.sexValues.map { (Array($0.key.utf8), Array($0.value.rawValue.utf8)) }
        payload = spec.payload.map { slots.slot(of: $0)! }
    }

    /// Writes the record in `fields` as a row of `batch`, or returns why it is rejected.
    func map(_ fields: FieldArena, location: RecordLocation, into batch: inout RowBatch) -> Reject? {
        guard let key = fields.slice(keySlot) else {
            return Reject(location: location, reason: .missingRecordKey(field: spec.key), raw: rawText(fields))
        }
        // A NUL byte is valid UTF-8 (and JSON can spell it \u0000), but no register value holds
        // one, and C-string consumers downstream would cut the value short at it.
        if let slot = fields.firstSlot(containing: 0) {
            let readable = slot != keySlot && !key.contains(0) && UTF8Validation.firstInvalid(key) == nil
            return Reject(
                location: location, reason: .nulByte(field: slots.names[slot]), raw: rawText(fields),
                recordKey: readable ? String(decoding: key, as: UTF8.self) : nil)
        }
        batch.startRow(
            RowBatch.Position(line: location.line, recordIndex: location.recordIndex, byteOffset: location.byteOffset))
        batch.set(.key, key)
        for (index, plan) in plans.enumerated() {
            if let condition = plan.condition {
                let value = fields.slice(condition.slot)
                guard condition.values.contains(where: { equal(value, $0) }) else { continue }
            }
            if plan.sources.count == 1 {
                guard let value = fields.slice(plan.sources[0]) else { continue }
                batch.set(plan.column, value)
                if index == sexPlanIndex { mapSex(value, into: &batch) }
                if index == birthDatePlanIndex { mapDate(value, into: &batch) }
                continue
            }
            let parts = plan.sources.compactMap { fields.slice($0) }
            guard !parts.isEmpty else { continue }
            batch.beginColumn()
            for (offset, part) in parts.enumerated() {
                if offset > 0 { batch.append(plan.separator) }
                batch.append(part)
            }
            batch.endColumn(plan.column)
            if index == sexPlanIndex || index == birthDatePlanIndex {
                var joined: [UInt8] = []
                for (offset, part) in parts.enumerated() {
                    if offset > 0 { joined += plan.separator }
                    joined += part
                }
                joined.withUnsafeBufferPointer { value in
                    if index == sexPlanIndex { mapSex(value, into: &batch) }
                    if index == birthDatePlanIndex { mapDate(value, into: &batch) }
                }
            }
        }
        batch.beginPayload()
        for slot in payload {
            batch.appendPayloadValue(fields.slice(slot))
        }
        batch.endPayload()
        return nil
    }

    private func mapSex(_ value: UnsafeBufferPointer<UInt8>, into batch: inout RowBatch) {
        for (source, code) in sexValues where equal(value, source) {
            code.withUnsafeBufferPointer { batch.set(.sexCode, $0) }
            return
        }
    }

    private func mapDate(_ value: UnsafeBufferPointer<UInt8>, into batch: inout RowBatch) {
        for pattern in spec.dateFormats {
            if let iso = pattern.isoDate(value) {
                iso.withUnsafeBufferPointer { batch.set(.birthDateISO, $0) }
                return
            }
        }
    }

    private func equal(_ value: UnsafeBufferPointer<UInt8>?, _ expected: [UInt8]) -> Bool {
        guard let value else { return expected.isEmpty }
        guard value.count == expected.count else { return false }
        for index in 0..<value.count where value[index] != expected[index] {
            return false
        }
        return true
    }

    /// The raw values as a JSON object, for the reject's raw text.
    func rawText(_ fields: FieldArena) -> String {
        JSONWriter.object(slots.names.enumerated().map { ($0.element, fields.string($0.offset)) })
    }
}
