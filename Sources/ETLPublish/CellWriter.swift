import ETLCore
import ETLStore

/// Writes a dataset's cells as UTF-8 straight into its `RowSet`: values are copied from the
/// resident table's byte columns, and labels, department lists and payload values are made
/// once per distinct value, so that a million rows make no `String` per cell.
struct CellWriter {
    let builder: DatasetBuilder
    /// Per column, the hierarchy level it is published at, if generalised.
    let levels: [Int?]
    private let caches: Caches

    /// What the writer makes once and reuses.
    private final class Caches {
        /// Per column, generalised labels by class code.
        var labels: [[Int64: [UInt8]?]]
        var departmentLists: [UInt64: [UInt8]] = [:]
        /// Per payload reference, its values' bytes (made when first needed).
        var payloadBytes: [Int: [[UInt8]]] = [:]
        var scratch: [UInt8] = []
        var masked: [UInt8] = []

        init(columns: Int) {
            labels = Array(repeating: [:], count: columns)
        }
    }

    init(builder: DatasetBuilder, levels: [Int?]) {
        self.builder = builder
        self.levels = levels
        caches = Caches(columns: levels.count)
    }

    private var table: ResidentTable { builder.table }

    /// Appends the cell of column `index` for resident `row` to `rows`.
    func append(column index: Int, row: Int, to rows: inout RowSet) throws(PublishError) {
        let column = builder.dataset.columns[index]
        switch column.transform {
        case .keep:
            appendValue(column.source, row: row, to: &rows)
        case .suppress:
            rows.appendNull()
        case .pseudonym:
            caches.scratch.removeAll(keepingCapacity: true)
            guard let pseudonymiser = builder.pseudonymisers[index],
                appendValue(column.source, row: row, to: &caches.scratch)
            else {
                rows.appendNull()
                return
            }
            caches.masked.removeAll(keepingCapacity: true)
            try pseudonymiser.append(token: caches.scratch, to: &caches.masked)
            rows.append(bytes: caches.masked)
        case .mask:
            caches.scratch.removeAll(keepingCapacity: true)
            guard appendValue(column.source, row: row, to: &caches.scratch) else {
                rows.appendNull()
                return
            }
            caches.masked.removeAll(keepingCapacity: true)
            Masking.mask(caches.scratch[...], column.source, to: &caches.masked)
            rows.append(bytes: caches.masked)
        case .generalise:
            guard let hierarchy = column.source.hierarchy, let level = levels[index] else {
                rows.appendNull()
                return
            }
            let raw = builder.number(column.source, row)
            let code = hierarchy.code(raw, level: level, context: builder.context)
            if let label = caches.labels[index][code] {
                if let label { rows.append(bytes: label) } else { rows.appendNull() }
                return
            }
            let label = hierarchy.label(raw, level: level, context: builder.context).map { Array($0.utf8) }
            caches.labels[index][code] = .some(label)
            if let label { rows.append(bytes: label) } else { rows.appendNull() }
        }
    }

    /// Appends the value of `source` for `row` as a cell (null when it has none).
    private func appendValue(_ source: ValueSource, row: Int, to rows: inout RowSet) {
        caches.scratch.removeAll(keepingCapacity: true)
        if appendValue(source, row: row, to: &caches.scratch) {
            rows.append(bytes: caches.scratch)
        } else {
            rows.appendNull()
        }
    }

    /// Appends the UTF-8 value of `source` for `row` to `bytes`; false when it has none.
    @discardableResult
    private func appendValue(_ source: ValueSource, row: Int, to bytes: inout [UInt8]) -> Bool {
        func copy(_ column: StringColumn) -> Bool {
            guard column.present[row] else { return false }
            column.withBytes(row) { bytes.append(contentsOf: $0) }
            return true
        }
        switch source {
        case .golden(.name): return copy(table.names)
        case .golden(.idNumber): return copy(table.idNumbers)
        case .golden(.phone): return copy(table.phones)
        case .golden(.address): return copy(table.addresses)
        case .golden(.sex):
            guard table.sex[row] != 0 else { return false }
            bytes.append(table.sex[row])
            return true
        case .golden(.birthDate):
            let date = Int(table.birth[row])
            guard date > 0 else { return false }
            CellWriter.appendDigits(date / 10000, width: 4, to: &bytes)
            bytes.append(UInt8(ascii: "-"))
            CellWriter.appendDigits(date / 100 % 100, width: 2, to: &bytes)
            bytes.append(UInt8(ascii: "-"))
            CellWriter.appendDigits(date % 100, width: 2, to: &bytes)
            return true
        case .residentID:
            bytes.append(UInt8(ascii: "R"))
            CellWriter.appendDigits(Int(table.numbers[row]), width: 10, to: &bytes)
            return true
        case .age, .birthYear:
            let value = builder.number(source, row)
            guard value != Hierarchy.missing else { return false }
            bytes.append(contentsOf: String(value).utf8)
            return true
        case .region:
            let code = Int64(table.region[row])
            guard
                let label = Hierarchy.region.label(
                    code == 0 ? Hierarchy.missing : code, level: 0, context: builder.context)
            else { return false }
            bytes.append(contentsOf: label.utf8)
            return true
        case .departments:
            let mask = table.departments[row]
            if let list = caches.departmentLists[mask] {
                bytes.append(contentsOf: list)
            } else {
                let list = Array(table.departmentList(mask).utf8)
                caches.departmentLists[mask] = list
                bytes.append(contentsOf: list)
            }
            return true
        case .payload(let field, let source):
            guard let index = table.payloadReferences.firstIndex(of: .init(field: field, source: source)) else {
                return false
            }
            let code = table.payloadCodes[index][row]
            guard code >= 0 else { return false }
            if caches.payloadBytes[index] == nil {
                caches.payloadBytes[index] = table.payloadValues[index].map { Array($0.utf8) }
            }
            bytes.append(contentsOf: caches.payloadBytes[index]![Int(code)])
            return true
        }
    }

    /// Appends `value` in decimal, zero-padded to `width` digits.
    static func appendDigits(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: max(width, 20))
        var remaining = value
        var position = digits.count
        repeat {
            position -= 1
            digits[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        } while remaining > 0 && position > 0
        bytes.append(contentsOf: digits[min(position, digits.count - width)...])
    }
}
