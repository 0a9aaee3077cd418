extension RowBatch {
    /// Appends `record` as a row (its location's line, index and offset; the batch's file).
    /// The payload is stored as a JSON array of the values, in the record's order.
    public mutating func append(_ record: SourceRecord) {
        startRow(
            Position(
                line: record.location.line, recordIndex: record.location.recordIndex,
                byteOffset: record.location.byteOffset))
        func set(_ column: Column, _ text: String?) {
            guard var text else { return }
            text.withUTF8 { self.set(column, $0) }
        }
        set(.key, record.key)
        for field in CanonicalField.allCases { set(Column(field), record.fields[field]) }
        set(.sexCode, record.sexCode?.rawValue)
        set(.birthDateISO, record.birthDateISO)
        beginPayload()
        for field in record.payload {
            if var value = field.value {
                value.withUTF8 { appendPayloadValue($0) }
            } else {
                appendPayloadValue(nil)
            }
        }
        endPayload()
    }

    /// Row `row` as a `SourceRecord` of strings; `payloadFields` names the payload's values.
    public func record(row: Int, payloadFields: [String]) -> SourceRecord {
        var fields = CanonicalValues()
        for field in CanonicalField.allCases {
            fields[field] = string(row: row, Column(field))
        }
        var payload: [PayloadValue] = []
        if let (start, count) = span(row: row, .payload) {
            arena[start..<(start + count)].withUnsafeBufferPointer { bytes in
                var scanner = JSONScanner(bytes: bytes)
                // The payload was written by JSONWriter, so it always parses.
                if let values = (try? scanner.parseValue())?.elements {
                    payload = zip(payloadFields, values).map { PayloadValue(name: $0, value: $1.stringValue) }
                }
            }
        }
        return SourceRecord(
            key: string(row: row, .key) ?? "", fields: fields,
            sexCode: string(row: row, .sexCode).flatMap(SexCode.init(rawValue:)),
            birthDateISO: string(row: row, .birthDateISO), payload: payload, location: location(row: row))
    }
}
