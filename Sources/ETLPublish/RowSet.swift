import ETLCore

/// A dataset's published rows, built in memory and then written in every format: the cells,
/// row by row, in one `StringColumn`, sorted into a deterministic order.
struct RowSet {
    let columns: [Column]
    /// Per column, whether its cells are whole numbers (else text).
    let integerColumns: [Bool]
    /// Every cell, row-major.
    private var cells = StringColumn()
    /// Row order for writing: by key when the dataset has one, else by content.
    private(set) var order: [Int] = []

    init(columns: [Column], integerColumns: [Bool]) {
        self.columns = columns
        self.integerColumns = integerColumns
    }

    var count: Int { cells.count / max(1, columns.count) }

    /// The cells' bytes, end to end.
    var bytes: [UInt8] { cells.bytes }

    /// Appends a cell of `cell`'s bytes.
    mutating func append<Bytes: Collection<UInt8>>(bytes cell: Bytes) {
        cells.append(contentsOf: cell)
    }

    /// Appends a missing cell.
    mutating func appendNull() {
        cells.appendMissing()
    }

    /// The range of a cell in `bytes`.
    func range(row: Int, column: Int) -> Range<Int> {
        cells.range(row * columns.count + column)
    }

    func isNull(row: Int, column: Int) -> Bool { !cells.present[row * columns.count + column] }

    func string(row: Int, column: Int) -> String? {
        cells[row * columns.count + column]
    }

    /// Sorts rows by the key column's bytes, or, without a key, by a digest of their cells
    /// (then the cells): a fixed order that says nothing about the residents.
    mutating func sort(key: Int?) {
        let rows = count
        // Each row gets a 64-bit sort prefix, so most comparisons are one integer compare: for
        // a key, its 8 bytes after the prefix all keys share; without one, its digest.
        var prefixes = [UInt64](repeating: 0, count: rows)
        if let key, rows > 0 {
            var shared = range(row: 0, column: key).count
            cells.bytes.withUnsafeBufferPointer { buffer in
                let first = range(row: 0, column: key).lowerBound
                for row in 1..<rows {
                    let cell = range(row: row, column: key)
                    var common = 0
                    while common < min(shared, cell.count), buffer[cell.lowerBound + common] == buffer[first + common] {
                        common += 1
                    }
                    shared = common
                }
                for row in 0..<rows {
                    let cell = range(row: row, column: key)
                    var prefix: UInt64 = 0
                    for offset in 0..<8 {
                        let index = cell.lowerBound + shared + offset
                        prefix = prefix << 8 | UInt64(index < cell.upperBound ? buffer[index] : 0)
                    }
                    prefixes[row] = prefix
                }
            }
        } else if key == nil {
            for row in 0..<rows { prefixes[row] = digest(row: row) }
        }
        let columnsToCompare = key.map { [$0] } ?? Array(columns.indices)
        var order = Array(0..<rows)
        cells.bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress
            order.sort { a, b in
                if prefixes[a] != prefixes[b] { return prefixes[a] < prefixes[b] }
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

    /// A SHA-256 (hex) of the rows in order: their cells and which are missing. Equal
    /// digests, equal data files.
    func contentDigest(header: String) -> String {
        let hasher = SHA256()
        Array(header.utf8).withUnsafeBytes { hasher.update($0) }
        var line: [UInt8] = []
        for row in order {
            line.removeAll(keepingCapacity: true)
            for column in columns.indices {
                line.append(isNull(row: row, column: column) ? 0 : 1)
                line.append(contentsOf: cells.bytes[range(row: row, column: column)])
                line.append(0xFF)
            }
            line.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }

    /// A 64-bit digest of a row's cells, to tell changed rows between versions.
    func digest(row: Int) -> UInt64 {
        let prime: UInt64 = 0x100_0000_01b3
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for column in columns.indices {
            hash = (hash ^ (isNull(row: row, column: column) ? 0 : 1)) &* prime
            for index in range(row: row, column: column) { hash = (hash ^ UInt64(cells.bytes[index])) &* prime }
            hash = (hash ^ 0xFF) &* prime
        }
        return hash
    }
}

#if canImport(Glibc)
    import Glibc
#endif
