import ETLCore
import ETLStore

/// The last check before a dataset that is not identified is written: no standardised ID
/// number, phone number or full name of an included resident may appear in it.
///
/// A cell leaks when it is such a value, when one of its words is (words split at spaces and
/// `,;|/`), or when a run of digits in it holds an ID number (15 or 18 characters) or a
/// mobile number (11 digits). Only columns that could hold one are read (`columnsToCheck`). Names are matched as whole values and words, not inside longer text,
/// so that a place name containing a two-character name does not stop a dataset.
struct LeakGuard {
    private var identifiers: [UInt64: (kind: UInt8, row: Int)] = [:]
    private let table: ResidentTable

    private static let kinds = ["ID number", "phone number", "name"]

    init(table: ResidentTable, included: [Int]) {
        self.table = table
        identifiers.reserveCapacity(included.count * 3)
        for row in included {
            for kind: UInt8 in 0..<3 where column(kind).present[row] {
                identifiers[column(kind).withBytes(row) { LeakGuard.hash($0) }] = (kind, row)
            }
        }
    }

    /// The columns whose cells could hold an identifier: kept or masked values, and
    /// anything from a payload. Pseudonyms hold tokens and suppressed columns nothing; a
    /// generalised unified or derived value is a label etl makes (a range, a band, a region's
    /// name, a count), never a person's identifier.
    static func columnsToCheck(_ columns: [Column]) -> [Int] {
        columns.indices.filter { index in
            switch (columns[index].transform, columns[index].source) {
            case (.pseudonym, _), (.suppress, _): false
            case (.generalise, .payload): true
            case (.generalise, _): false
            default: true
            }
        }
    }

    /// Throws `.leak` naming the first column that holds an identifier, and the resident.
    func check(_ rows: RowSet, dataset: Dataset) throws(PublishError) {
        let columns = LeakGuard.columnsToCheck(rows.columns)
        try rows.bytes.withUnsafeBufferPointer { buffer throws(PublishError) in
            for row in 0..<rows.count {
                for column in columns where !rows.isNull(row: row, column: column) {
                    let cell = UnsafeBufferPointer(rebasing: buffer[rows.range(row: row, column: column)])
                    if let found = find(in: cell) {
                        throw .leak(
                            dataset: dataset.name, column: rows.columns[column].name,
                            kind: LeakGuard.kinds[Int(found.kind)],
                            resident: StateStore.residentID(table.numbers[found.row]))
                    }
                }
            }
        }
    }

    /// The identifier found in `cell`, if any.
    private func find(in cell: UnsafeBufferPointer<UInt8>) -> (kind: UInt8, row: Int)? {
        if let hit = lookup(cell[...]) { return hit }
        // Words.
        var start = 0
        for index in 0...cell.count {
            let isSeparator =
                index == cell.count || [0x20, 0x2C, 0x3B, 0x7C, 0x2F, 0x09].contains(cell[index])
            guard isSeparator else { continue }
            if index > start, start > 0 || index < cell.count, let hit = lookup(cell[start..<index]) { return hit }
            start = index + 1
        }
        // Runs of digits (an ID number may end in X).
        var runStart = 0
        for index in 0...cell.count {
            let isDigit =
                index < cell.count
                && ((0x30...0x39).contains(cell[index])
                    || ((cell[index] == 0x58 || cell[index] == 0x78) && index - runStart == 17))
            if isDigit { continue }
            let length = index - runStart
            if length >= 11 {
                for width in [11, 15, 18] where width <= length {
                    for offset in runStart...(index - width) {
                        if let hit = lookup(cell[offset..<(offset + width)]) { return hit }
                    }
                }
            }
            runStart = index + 1
        }
        return nil
    }

    private func lookup(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> (kind: UInt8, row: Int)? {
        guard let hit = identifiers[LeakGuard.hash(bytes)] else { return nil }
        // Confirm, so that a hash collision never stops a dataset.
        return column(hit.kind).withBytes(hit.row) { $0.elementsEqual(bytes) } ? hit : nil
    }

    /// The table's column of identifiers of `kind` (an index into `kinds`).
    private func column(_ kind: UInt8) -> StringColumn {
        switch kind {
        case 0: table.idNumbers
        case 1: table.phones
        default: table.names
        }
    }

    private static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
