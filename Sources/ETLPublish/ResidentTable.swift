import ETLCore
import ETLStore

/// Strings stored end to end in one byte buffer: a column of a million values costs two
/// allocations, not a million.
struct StringColumn: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Per value, where it ends in `bytes`; a missing value ends where the previous one did
    /// and is marked in `present`.
    private(set) var ends: [UInt32] = []
    private(set) var present: [Bool] = []

    var count: Int { ends.count }

    mutating func append(_ value: String?) {
        if let value {
            bytes.append(contentsOf: value.utf8)
            present.append(true)
        } else {
            present.append(false)
        }
        ends.append(UInt32(bytes.count))
    }

    /// The value at `index`, or `nil` when missing.
    subscript(index: Int) -> String? {
        guard present[index] else { return nil }
        let start = index == 0 ? 0 : Int(ends[index - 1])
        return String(decoding: bytes[start..<Int(ends[index])], as: UTF8.self)
    }

    /// Calls `body` with the value's bytes (empty when missing).
    func withBytes<T>(_ index: Int, _ body: (ArraySlice<UInt8>) -> T) -> T {
        let start = index == 0 ? 0 : Int(ends[index - 1])
        return body(bytes[start..<Int(ends[index])])
    }
}

/// Every active resident of a pipeline, as publishing needs them, read from the state store
/// once and shared by all datasets.
struct ResidentTable: Sendable {
    var numbers: [Int64] = []
    var names = StringColumn()
    var idNumbers = StringColumn()
    var phones = StringColumn()
    var addresses = StringColumn()
    /// Sex codes as stored (`1`, `2`, `0`, `9`), 0 byte when missing.
    var sex: [UInt8] = []
    /// yyyymmdd, or 0.
    var birth: [Int32] = []
    /// Six-digit region code, or 0.
    var region: [Int32] = []
    /// Per resident, a bit per source (in `sources` order) that holds one of its records.
    var departments: [UInt64] = []
    /// The pipeline's sources, in its order.
    var sources: [String]
    /// The payload values asked for: per reference, interned values and per resident an index
    /// into them (-1 when missing).
    var payloadReferences: [PayloadReference] = []
    var payloadValues: [[String]] = []
    var payloadCodes: [[Int32]] = []

    var count: Int { numbers.count }

    /// A payload field, from one source or from the first that has it.
    struct PayloadReference: Hashable, Sendable {
        var field: String
        var source: String?
    }

    /// Reads the active residents of `pipeline` from `store`, with the payload fields
    /// `payload` names. `sources` is the pipeline's source order.
    init(
        store: StateStore, pipeline: String, sources: [String], payload: [PayloadReference]
    ) throws(PublishError) {
        self.init(sources: sources, payload: payload)
        do {
            let cursor = try store.publishableResidents(pipeline: pipeline, payload: !payload.isEmpty)
            // The store's source positions, mapped to the pipeline's order (a source the
            // pipeline no longer has holds no current records).
            let position = cursor.sources.map { sources.firstIndex(of: $0) ?? -1 }
            guard sources.count <= 64 else { throw PublishError.tooManySources(count: sources.count) }
            while let resident = try cursor.next() {
                var mask: UInt64 = 0
                for record in resident.records where position[record.source] >= 0 {
                    mask |= 1 << UInt64(position[record.source])
                }
                // Payload objects by the pipeline's source order, then record key (the
                // cursor's order within a source).
                let payloads =
                    payload.isEmpty
                    ? []
                    : resident.records.map { record in
                        (position[record.source], record.payload.map(ResidentTable.payloadObject) ?? [:])
                    }.filter { $0.0 >= 0 }.sorted { $0.0 < $1.0 }
                append(
                    number: resident.number, values: resident.values, region: resident.region, departments: mask,
                    payloads: payloads)
            }
        } catch let error as StoreError {
            throw .store(error.description)
        } catch let error as PublishError {
            throw error
        } catch {
            throw .store("\(error)")
        }
    }

    /// An empty table over `sources` that reads the payload fields `payload` (for tests).
    init(sources: [String], payload: [PayloadReference]) {
        self.sources = sources
        payloadReferences = payload
        payloadValues = Array(repeating: [], count: payload.count)
        payloadCodes = Array(repeating: [], count: payload.count)
    }

    /// Per payload reference, its values' codes so far.
    private var interned: [[String: Int32]] = []

    /// Adds a resident: its number, unified values (in `CanonicalField` order), region code,
    /// departments (a bit per source), and its records' payload objects as (source position,
    /// members), in the pipeline's source order.
    mutating func append(
        number: Int64, values: [String?], region: String?, departments mask: UInt64,
        payloads: [(Int, [String: String])]
    ) {
        numbers.append(number)
        names.append(values[0])
        idNumbers.append(values[1])
        sex.append(values[2].flatMap { $0.utf8.first } ?? 0)
        birth.append(values[3].map(ResidentTable.yyyymmdd) ?? 0)
        phones.append(values[4])
        addresses.append(values[5])
        self.region.append(region.flatMap { Int32($0) } ?? 0)
        departments.append(mask)
        if interned.count < payloadReferences.count {
            interned = Array(repeating: [:], count: payloadReferences.count)
        }
        for (index, reference) in payloadReferences.enumerated() {
            var found: String?
            for (source, object) in payloads {
                if let wanted = reference.source, sources[source] != wanted { continue }
                if let value = object[reference.field], !value.isEmpty {
                    found = value
                    break
                }
            }
            guard let found else {
                payloadCodes[index].append(-1)
                continue
            }
            if let code = interned[index][found] {
                payloadCodes[index].append(code)
            } else {
                let code = Int32(payloadValues[index].count)
                interned[index][found] = code
                payloadValues[index].append(found)
                payloadCodes[index].append(code)
            }
        }
    }

    /// `1980-05-17` → 19800517 (0 when it is not a date).
    static func yyyymmdd(_ iso: String) -> Int32 {
        var value: Int32 = 0
        var digits = 0
        for byte in iso.utf8 where byte != UInt8(ascii: "-") {
            guard byte >= 0x30, byte <= 0x39 else { return 0 }
            value = value * 10 + Int32(byte - 0x30)
            digits += 1
        }
        return digits == 8 ? value : 0
    }

    /// A payload's members with string (or number) values.
    static func payloadObject(_ text: String) -> [String: String] {
        var bytes = Array(text.utf8)
        let node: JSONNode? = bytes.withUnsafeMutableBufferPointer { buffer in
            var scanner = JSONScanner(bytes: UnsafeBufferPointer(buffer))
            return try? scanner.parseValue()
        }
        var object: [String: String] = [:]
        for member in node?.members ?? [] {
            switch member.value.value {
            case .string(let value): object[member.key] = value
            case .number(let value): object[member.key] = value
            case .bool(let value): object[member.key] = value ? "true" : "false"
            default: break
            }
        }
        return object
    }

    /// Whole years between `birth` (yyyymmdd) and `date` (yyyymmdd), or `nil`.
    static func age(birth: Int32, on date: Int32) -> Int64? {
        guard birth > 0, birth <= date else { return nil }
        var years = Int64(date / 10000 - birth / 10000)
        if date % 10000 < birth % 10000 { years -= 1 }
        return years
    }

    /// The names of the departments in `mask`, in the pipeline's order, `|`-separated.
    func departmentList(_ mask: UInt64) -> String {
        var names: [String] = []
        for (index, name) in sources.enumerated() where mask & (1 << UInt64(index)) != 0 { names.append(name) }
        return names.joined(separator: "|")
    }
}
