/// Where a record came from: the file, the line it starts on, and its position in the file.
public struct RecordLocation: Sendable, Hashable {
    /// The file name as the pipeline's glob matched it, relative to the inbox.
    public var file: String
    /// The 1-based physical line where the record starts.
    public var line: Int
    /// The 1-based index of the record within the file (the n-th record read).
    public var recordIndex: Int
    /// The byte offset of the record's first byte in the file, where known.
    public var byteOffset: Int?

    public init(file: String, line: Int, recordIndex: Int, byteOffset: Int? = nil) {
        self.file = file
        self.line = line
        self.recordIndex = recordIndex
        self.byteOffset = byteOffset
    }

    /// `file:line`, the way a data officer finds the record in an editor.
    public var description: String { "\(file):\(line)" }
}
