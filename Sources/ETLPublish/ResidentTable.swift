import ETLCore
import ETLStore

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
        guard sources.count <= 64 else { throw .tooManySources(count: sources.count) }
        do {
            let residents = try store.publishableResidents(pipeline: pipeline)
            while let number = try residents.next() {
                numbers.append(number)
                residents.withValue(.name) { names.append(bytes: $0) }
                residents.withValue(.idNumber) { idNumbers.append(bytes: $0) }
                residents.withValue(.sex) { sex.append($0?.first ?? 0) }
                residents.withValue(.birthDate) { birth.append($0.map(ResidentTable.yyyymmdd) ?? 0) }
                residents.withValue(.phone) { phones.append(bytes: $0) }
                residents.withValue(.address) { addresses.append(bytes: $0) }
                region.append(residents.region.flatMap { Int32($0) } ?? 0)
                departments.append(0)
            }
            for index in payload.indices { payloadCodes[index] = [Int32](repeating: -1, count: numbers.count) }
            // Resident numbers to rows: numbers are a dense sequence, so an array serves.
            let largest = Int(numbers.last ?? 0)
            var rowOf = [Int32](repeating: -1, count: largest + 1)
            for (row, number) in numbers.enumerated() { rowOf[Int(number)] = Int32(row) }
            let payloadSources = Set(
                payload.isEmpty ? [] : payload.contains { $0.source == nil } ? sources : payload.compactMap(\.source))
            let records = try store.publishableRecords(pipeline: pipeline, payloadSources: payloadSources)
            // Source IDs to positions in the pipeline's order (-1: no longer in the pipeline).
            var positions: [Int64: Int] = [:]
            for (id, name) in records.sourceNames { positions[id] = sources.firstIndex(of: name) ?? -1 }
            // Per source position, the payload references it can fill.
            let fillable = sources.map { name in
                payload.indices.filter { payload[$0].source == nil || payload[$0].source == name }
            }
            // Per file, per position in its payload array, the references that take that value.
            var plans: [Int64: [[Int]]] = [:]
            // Per payload reference and row, the source position its value came from.
            var takenFrom = [[Int8]](repeating: [], count: payload.count)
            for index in payload.indices { takenFrom[index] = [Int8](repeating: Int8.max, count: numbers.count) }
            while let (resident, source) = try records.next() {
                guard let position = positions[source], position >= 0, Int(resident) < rowOf.count else { continue }
                let row = Int(rowOf[Int(resident)])
                guard row >= 0 else { continue }
                departments[row] |= 1 << UInt64(position)
                // The first source in the pipeline's order wins, and within a source the first
                // record of its export: skip a record that can fill nothing still open.
                guard fillable[position].contains(where: { takenFrom[$0][row] > Int8(position) }) else { continue }
                let file = records.fileID
                if plans[file] == nil {
                    plans[file] = records.payloadFieldNames(file: file).map { name in
                        fillable[position].filter { payload[$0].field == name }
                    }
                }
                let plan = plans[file]!
                records.withPayload { bytes in
                    guard let bytes else { return }
                    ResidentTable.scanPayload(bytes, plan: plan) { reference, value in
                        guard takenFrom[reference][row] > Int8(position), !value.isEmpty else { return }
                        takenFrom[reference][row] = Int8(position)
                        setPayload(reference, row: row, value)
                    }
                }
            }
        } catch {
            throw .store(error.description)
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
    private var interned: [[UInt64: [Int32]]] = []

    /// Adds a resident: its number, unified values (in `CanonicalField` order) and region
    /// code, with no departments and no payload yet.
    mutating func append(number: Int64, values: [String?], region: String?) {
        numbers.append(number)
        names.append(values[0])
        idNumbers.append(values[1])
        sex.append(values[2].flatMap { $0.utf8.first } ?? 0)
        birth.append(values[3].map(ResidentTable.yyyymmdd) ?? 0)
        phones.append(values[4])
        addresses.append(values[5])
        self.region.append(region.flatMap { Int32($0) } ?? 0)
        departments.append(0)
        for index in payloadReferences.indices { payloadCodes[index].append(-1) }
    }

    /// Adds a resident with its departments (a bit per source) and its records' payload
    /// objects as (source position, members), in the order they are preferred (tests).
    mutating func append(
        number: Int64, values: [String?], region: String?, departments mask: UInt64,
        payloads: [(Int, [String: String])]
    ) {
        append(number: number, values: values, region: region)
        departments[count - 1] = mask
        for (index, reference) in payloadReferences.enumerated() {
            for (source, object) in payloads {
                if let wanted = reference.source, sources[source] != wanted { continue }
                if let value = object[reference.field], !value.isEmpty {
                    setPayload(index, row: count - 1, value)
                    break
                }
            }
        }
    }

    /// Sets payload reference `index` of `row` to `value`.
    private mutating func setPayload(_ index: Int, row: Int, _ value: String) {
        Array(value.utf8).withUnsafeBufferPointer { setPayload(index, row: row, $0) }
    }

    /// Sets payload reference `index` of `row` to the UTF-8 `value`, interned: values are
    /// found by a hash of their bytes, so no `String` is made for a value seen before.
    private mutating func setPayload(_ index: Int, row: Int, _ value: UnsafeBufferPointer<UInt8>) {
        if interned.count < payloadReferences.count {
            interned = Array(repeating: [:], count: payloadReferences.count)
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in value { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for code in interned[index][hash] ?? [] where payloadValues[index][Int(code)].utf8.elementsEqual(value) {
            payloadCodes[index][row] = code
            return
        }
        let code = Int32(payloadValues[index].count)
        interned[index][hash, default: []].append(code)
        payloadValues[index].append(String(decoding: value, as: UTF8.self))
        payloadCodes[index][row] = code
    }

    /// `1980-05-17` → 19800517 (0 when it is not a date).
    static func yyyymmdd(_ iso: String) -> Int32 {
        var iso = iso
        return iso.withUTF8(yyyymmdd)
    }

    /// `1980-05-17` (UTF-8) → 19800517 (0 when it is not a date).
    static func yyyymmdd(_ iso: UnsafeBufferPointer<UInt8>) -> Int32 {
        var value: Int32 = 0
        var digits = 0
        for byte in iso where byte != UInt8(ascii: "-") {
            guard byte >= 0x30, byte <= 0x39 else { return 0 }
            value = value * 10 + Int32(byte - 0x30)
            digits += 1
        }
        return digits == 8 ? value : 0
    }

    /// Reads a payload (a JSON array of values) and calls `found` with each value that `plan`
    /// (per position, the references that take it) asks for, as UTF-8 bytes; the other
    /// values are skipped without being decoded.
    static func scanPayload(
        _ bytes: UnsafeBufferPointer<UInt8>, plan: [[Int]], found: (Int, UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var scanner = JSONScanner(bytes: bytes)
        do {
            try scanner.expect(UInt8(ascii: "["), "'['")
            if scanner.peek() == UInt8(ascii: "]") { return }
            var position = 0
            while true {
                if position < plan.count, !plan[position].isEmpty {
                    var decoded: [UInt8]?
                    var range = 0..<0
                    if scanner.peek() == UInt8(ascii: "\"") {
                        let raw = try scanner.readRawString()
                        if raw.hasEscapes {
                            scanner.index = raw.range.lowerBound - 1
                            decoded = Array(try scanner.readString().utf8)
                        }
                        range = raw.range
                    } else if case .number(let number) = try scanner.readScalar() {
                        decoded = Array(number.utf8)
                    } else {
                        decoded = []
                    }
                    for reference in plan[position] {
                        if let decoded {
                            decoded.withUnsafeBufferPointer { found(reference, $0) }
                        } else {
                            found(reference, UnsafeBufferPointer(rebasing: bytes[range]))
                        }
                    }
                } else {
                    try scanner.skipValue()
                }
                position += 1
                guard scanner.peek() == UInt8(ascii: ",") else { break }
                scanner.index += 1
            }
        } catch {
            // The store writes every payload; one that does not parse gives no more values.
        }
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
        ResidentTable.departmentList(mask, sources: sources)
    }

    /// The names of the sources whose bits `mask` sets, in order, `|`-separated.
    static func departmentList(_ mask: UInt64, sources: [String]) -> String {
        var names: [String] = []
        for (index, name) in sources.enumerated() where mask & (1 << UInt64(index)) != 0 { names.append(name) }
        return names.joined(separator: "|")
    }
}
