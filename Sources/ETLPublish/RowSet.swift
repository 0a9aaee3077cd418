import ETLCore

/// A dataset's published rows, built in memory and then written in every format: the cells
/// end to end in one byte buffer, sorted into a deterministic order.
struct RowSet {
    let columns: [Column]
    /// Per column, whether its cells are whole numbers (else text).
    let integerColumns: [Bool]
    private(set) var bytes: [UInt8] = []
    /// Per cell (row-major), where it ends in `bytes`.
    private(set) var ends: [UInt32] = []
    private(set) var nulls: [Bool] = []
    /// Row order for writing: by key when the dataset has one, else by content.
    private(set) var order: [Int] = []

    init(columns: [Column], integerColumns: [Bool]) {
        self.columns = columns
        self.integerColumns = integerColumns
    }

    var count: Int { ends.count / max(1, columns.count) }

    mutating func append(_ cell: String?) {
        if let cell {
            bytes.append(contentsOf: cell.utf8)
            nulls.append(false)
        } else {
            nulls.append(true)
        }
        ends.append(UInt32(bytes.count))
    }

    /// The range of a cell in `bytes`.
    func range(row: Int, column: Int) -> Range<Int> {
        let index = row * columns.count + column
        return (index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])
    }

    func isNull(row: Int, column: Int) -> Bool { nulls[row * columns.count + column] }

    func string(row: Int, column: Int) -> String? {
        isNull(row: row, column: column)
            ? nil : String(decoding: bytes[range(row: row, column: column)], as: UTF8.self)
    }

    /// Sorts rows by the key column's bytes, or by their cells in order when `key` is `nil`.
    mutating func sort(key: Int?) {
        let columnsToCompare = key.map { [$0] } ?? Array(columns.indices)
        var order = Array(0..<count)
        bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress
            order.sort { a, b in
                for column in columnsToCompare {
                    let x = range(row: a, column: column)
                    let y = range(row: b, column: column)
                    let common = min(x.count, y.count)
                    let compared = common == 0 ? 0 : memcmp(base! + x.lowerBound, base! + y.lowerBound, common)
                    if compared != 0 { return compared < 0 }
                    if x.count != y.count { return x.count < y.count }
                    let nullA = isNull(row: a, column: column)
                    if nullA != isNull(row: b, column: column) { return nullA }
                }
                return a < b
            }
        }
        self.order = order
    }

    /// A 64-bit digest of a row's cells, to tell changed rows between versions.
    func digest(row: Int) -> UInt64 {
        let prime: UInt64 = 0x100_0000_01b3
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for column in columns.indices {
            hash = (hash ^ (isNull(row: row, column: column) ? 0 : 1)) &* prime
            for index in range(row: row, column: column) { hash = (hash ^ UInt64(bytes[index])) &* prime }
            hash = (hash ^ 0xFF) &* prime
        }
        return hash
    }
}

#if canImport(Glibc)
    import Glibc
#endif
