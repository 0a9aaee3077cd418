/// Records ready to stage, packed into one byte arena: what the importer hands the store.
///
/// Each row has a value (UTF-8 bytes, or NULL) for every `Column`, stored as offsets into
/// `arena`, so a batch of thousands of rows is a handful of allocations and the store can
/// bind the bytes to SQL without building a `String` per field.
public struct RowBatch: Sendable {
    /// The values a staged row holds.
    public enum Column: Int, CaseIterable, Sendable {
        case key
        case name
        case idNumber
        case sex
        case birthDate
        case phone
        case address
        /// The sex code after the value map.
        case sexCode
        /// The birth date as `yyyy-MM-dd`, when a date format matched.
        case birthDateISO
        /// The payload values as a JSON array, in the order the source lists its payload fields.
        case payload

        /// The column that holds a canonical field.
        public init(_ field: CanonicalField) {
            switch field {
            case .name: self = .name
            case .idNumber: self = .idNumber
            case .sex: self = .sex
            case .birthDate: self = .birthDate
            case .phone: self = .phone
            case .address: self = .address
            }
        }
    }

    /// Where a row was read.
    public struct Position: Sendable, Equatable {
        public var line: Int
        public var recordIndex: Int
        public var byteOffset: Int?

        public init(line: Int, recordIndex: Int, byteOffset: Int?) {
            self.line = line
            self.recordIndex = recordIndex
            self.byteOffset = byteOffset
        }
    }

    private static let columns = Column.allCases.count

    /// The file the rows were read from, relative to the inbox.
    public var file: String
    /// The rows' bytes.
    public private(set) var arena: [UInt8] = []
    /// Per row and column: start offset and length; a length of -1 is NULL.
    private var spans: [Int32] = []
    public private(set) var positions: [Position] = []
    /// Records that could not be read, in the order they were met.
    public var rejects: [Reject] = []
    /// How far into the file the reader had got, for progress.
    public var bytesRead = 0
    private var openColumnStart = -1

    public init(file: String, capacity: Int = 0) {
        self.file = file
        arena.reserveCapacity(capacity * 192)
        spans.reserveCapacity(capacity * RowBatch.columns * 2)
        positions.reserveCapacity(capacity)
    }

    /// The number of rows.
    public var count: Int { positions.count }

    // MARK: - Writing

    /// Starts a row with every column NULL.
    public mutating func startRow(_ position: Position) {
        positions.append(position)
        for _ in 0..<RowBatch.columns {
            spans.append(0)
            spans.append(-1)
        }
    }

    /// Sets a column of the current row to `bytes`.
    public mutating func set(_ column: Column, _ bytes: UnsafeBufferPointer<UInt8>) {
        let slot = (positions.count - 1) * RowBatch.columns * 2 + column.rawValue * 2
        spans[slot] = Int32(arena.count)
        spans[slot + 1] = Int32(bytes.count)
        arena.append(contentsOf: bytes)
    }

    /// Starts a column of the current row whose bytes are appended with `append`.
    public mutating func beginColumn() {
        openColumnStart = arena.count
    }

    /// Appends bytes to the column begun with `beginColumn`.
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        arena.append(contentsOf: bytes)
    }

    /// Appends one byte to the column begun with `beginColumn`.
    public mutating func append(_ byte: UInt8) {
        arena.append(byte)
    }

    /// Appends bytes to the column begun with `beginColumn`.
    public mutating func append(_ bytes: [UInt8]) {
        arena.append(contentsOf: bytes)
    }

    /// Starts the current row's payload: a JSON array of the values, in the order the source
    /// lists its payload fields (the names are stored once per file, not per row).
    public mutating func beginPayload() {
        beginColumn()
        arena.append(UInt8(ascii: "["))
    }

    /// Appends one payload value (`nil` is JSON null) to the payload begun with `beginPayload`.
    public mutating func appendPayloadValue(_ value: UnsafeBufferPointer<UInt8>?) {
        if arena.count > openColumnStart + 1 { arena.append(UInt8(ascii: ",")) }
        if let value {
            JSONWriter.appendString(bytes: value, to: &arena)
        } else {
            arena.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
        }
    }

    /// Finishes the payload begun with `beginPayload`.
    public mutating func endPayload() {
        arena.append(UInt8(ascii: "]"))
        endColumn(.payload)
    }

    /// Finishes the column begun with `beginColumn` as `column`.
    public mutating func endColumn(_ column: Column) {
        let slot = (positions.count - 1) * RowBatch.columns * 2 + column.rawValue * 2
        spans[slot] = Int32(openColumnStart)
        spans[slot + 1] = Int32(arena.count - openColumnStart)
        openColumnStart = -1
    }

    // MARK: - Reading

    /// The start offset in `arena` and the length of a value, or `nil` when it is NULL.
    public func span(row: Int, _ column: Column) -> (start: Int, count: Int)? {
        let slot = row * RowBatch.columns * 2 + column.rawValue * 2
        let count = spans[slot + 1]
        return count < 0 ? nil : (Int(spans[slot]), Int(count))
    }

    /// A value as text, or `nil` when it is NULL.
    public func string(row: Int, _ column: Column) -> String? {
        guard let (start, count) = span(row: row, column) else { return nil }
        return String(decoding: arena[start..<(start + count)], as: UTF8.self)
    }

    /// Where row `row` was read.
    public func location(row: Int) -> RecordLocation {
        let position = positions[row]
        return RecordLocation(
            file: file, line: position.line, recordIndex: position.recordIndex, byteOffset: position.byteOffset)
    }
}
