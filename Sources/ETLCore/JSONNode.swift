/// A parsed JSON value with the position of its first character, for diagnostics.
public struct JSONNode: Sendable, Equatable {
    /// The JSON value itself.
    public indirect enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        /// A number, kept as written so that no precision is lost.
        case number(String)
        case string(String)
        case array([JSONNode])
        case object([JSONMember])
    }

    public var value: Value
    public var position: TextPosition

    public init(_ value: Value, position: TextPosition) {
        self.value = value
        self.position = position
    }

    /// A short name of the value's type, as used in error messages ("a string", "an array").
    public var typeDescription: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var stringValue: String? {
        if case .string(let text) = value { return text }
        return nil
    }

    public var members: [JSONMember]? {
        if case .object(let members) = value { return members }
        return nil
    }

    public var elements: [JSONNode]? {
        if case .array(let elements) = value { return elements }
        return nil
    }

    /// The value of the member named `key`, when this is an object that has one.
    public subscript(key: String) -> JSONNode? {
        members?.first { $0.key == key }?.value
    }
}

/// One `"key": value` member of a JSON object, with the key's position.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var keyPosition: TextPosition
    public var value: JSONNode

    public init(key: String, keyPosition: TextPosition, value: JSONNode) {
        self.key = key
        self.keyPosition = keyPosition
        self.value = value
    }
}

/// A JSON syntax error at a byte offset of the scanned text.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The byte offset of the offending character, from the start of the scanned bytes.
    public var offset: Int
    public var message: String
    /// True when the bytes are well-formed JSON but a string is not valid UTF-8: the value
    /// can be skipped, so only the record holding it needs to be rejected.
    public var isEncodingError: Bool
    /// True when arrays and objects nest deeper than the scanner's limit.
    public var isNestingError: Bool

    public init(offset: Int, message: String, isEncodingError: Bool = false, isNestingError: Bool = false) {
        self.offset = offset
        self.message = message
        self.isEncodingError = isEncodingError
        self.isNestingError = isNestingError
    }

    public var description: String { message }
}
