import ETLCore
import ETLNormalise
import ETLPublish
import ETLStore
import Foundation

/// `etl explain`: why records are (or are not) one resident, from the state store and the
/// pipeline. It resolves the current records again in memory, changing nothing, so that every
/// weight is the one the last resolution used (term frequencies included); personal values are
/// masked unless revealed, and revealing them is written to the audit log.
public struct Explainer {
    public let pipeline: Pipeline
    public let stateFolder: String

    public init(pipeline: Pipeline, stateFolder: String) {
        self.pipeline = pipeline
        self.stateFolder = stateFolder
    }

    /// A record as shown: its source and key, and its canonical values (masked or not).
    public struct RecordView: Sendable {
        public var source: String
        public var key: String
        public var resident: String?
        /// name, idNumber, sex, birthDate, phone, address.
        public var values: [String?]
        public var place: String { source + ":" + key }
    }

    /// A compared pair and how it fared.
    public struct PairView: Sendable {
        public var first: RecordView
        public var second: RecordView
        public var diagnosis: PairDiagnosis
    }

    /// What `etl explain <resident>` shows.
    public struct ResidentExplanation: Sendable {
        public var residentID: String
        public var detail: ResidentDetail
        /// The unified record: per field, its value (masked or not) and the record it came from.
        public var fields: [(field: CanonicalField, value: String?, from: String?)]
        public var records: [RecordView]
        /// Every pair of its records that blocking compared.
        public var pairs: [PairView]
        public var revealed: Bool
    }

    /// Explains the resident `id` (`R0000000001`).
    public func explain(resident id: String, reveal: Bool) throws(PipelineError) -> ResidentExplanation {
        try withStore { store throws(PipelineError) in
            guard let number = StateStore.residentNumber(id),
                let detail = try wrap({ () throws(StoreError) in try store.resident(number, pipeline: pipeline.name) })
            else {
                throw .unknown(
                    what: "no resident \(id) in \(stateFolder)",
                    hint: "resident IDs are R and ten digits, as 'etl links \(pipeline.name)' prints them")
            }
            if reveal { try wrap { () throws(StoreError) in try store.audit(action: "explain --reveal", subject: id) } }
            let inputs = try loadInputs()
            let places = Set(detail.records.map { $0.source + ":" + $0.key })
            let members = inputs.indices.filter { places.contains(inputs[$0].source + ":" + inputs[$0].key) }
            var wanted: [(Int, Int)] = []
            for (offset, a) in members.enumerated() {
                for b in members[(offset + 1)...] { wanted.append((a, b)) }
            }
            let diagnoses = Resolver(settings: pipeline.resolve).diagnose(inputs.map(\.input), pairs: wanted)
            let views = members.map { view(inputs[$0], resident: id, reveal: reveal) }
            let viewOf = Dictionary(uniqueKeysWithValues: zip(members, views))
            let pairs = zip(wanted, diagnoses).filter { $0.1.compared }.map { pair, diagnosis in
                PairView(first: viewOf[pair.0]!, second: viewOf[pair.1]!, diagnosis: diagnosis)
            }
            // Provenance: {"records": ["source:key", …], "fields": [i, …]}.
            var fromRecord: [String?] = Array(repeating: nil, count: CanonicalField.allCases.count)
            if let object = try? JSONSerialization.jsonObject(with: Data(detail.provenance.utf8)) as? [String: Any],
                let records = object["records"] as? [String], let fields = object["fields"] as? [Any]
            {
                for (position, index) in fields.enumerated() where position < fromRecord.count {
                    if let index = index as? Int, index < records.count { fromRecord[position] = records[index] }
                }
            }
            let fields = CanonicalField.allCases.enumerated().map { position, field in
                (field, Explainer.show(detail.values[position], field, reveal: reveal), fromRecord[position])
            }
            return ResidentExplanation(
                residentID: id, detail: detail, fields: fields, records: views, pairs: pairs, revealed: reveal)
        }
    }

    /// Explains whether the records `a` and `b` (each `source:key`) are one resident.
    public func explain(_ a: String, _ b: String, reveal: Bool) throws(PipelineError) -> PairView {
        try explain(pairs: [(a, b)], reveal: reveal, audit: "explain --reveal")[0]
    }

    /// Explains each pair of records (`source:key`), resolving once for all of them.
    /// Revealing is written to the audit log as `audit`.
    public func explain(
        pairs places: [(String, String)], reveal: Bool, audit: String
    ) throws(PipelineError) -> [PairView] {
        try withStore { store throws(PipelineError) in
            if reveal, !places.isEmpty {
                let subject = places.map { $0.0 + " " + $0.1 }.joined(separator: ", ")
                try wrap { () throws(StoreError) in try store.audit(action: audit, subject: subject) }
            }
            let inputs = try loadInputs()
            var index: [String: Int] = [:]
            for (position, input) in inputs.enumerated() { index[input.source + ":" + input.key] = position }
            func find(_ place: String) throws(PipelineError) -> Int {
                guard let position = index[place] else {
                    throw .unknown(
                        what: "no current record \(place) in \(stateFolder)",
                        hint:
                            "name a record as source:key, as 'etl links \(pipeline.name)' prints them (source,record_key)"
                    )
                }
                return position
            }
            var wanted: [(Int, Int)] = []
            for (a, b) in places { wanted.append((try find(a), try find(b))) }
            guard !wanted.isEmpty else { return [] }
            let diagnoses = Resolver(settings: pipeline.resolve).diagnose(inputs.map(\.input), pairs: wanted)
            func resident(_ index: Int) throws(PipelineError) -> String? {
                try wrap { () throws(StoreError) in
                    try store.residentOf(source: inputs[index].source, key: inputs[index].key, pipeline: pipeline.name)
                }.map(StateStore.residentID)
            }
            var views: [PairView] = []
            for ((x, y), diagnosis) in zip(wanted, diagnoses) {
                views.append(
                    PairView(
                        first: view(inputs[x], resident: try resident(x), reveal: reveal),
                        second: view(inputs[y], resident: try resident(y), reveal: reveal), diagnosis: diagnosis))
            }
            return views
        }
    }

    /// The text form of a resident number (`R0000000001`).
    public static func residentID(_ number: Int64) -> String {
        StateStore.residentID(number)
    }

    // MARK: - Helpers

    private func withStore<T>(_ body: (StateStore) throws(PipelineError) -> T) throws(PipelineError) -> T {
        guard FilePaths.isDirectory(stateFolder) else {
            throw .unknown(
                what: "no state folder \(stateFolder)",
                hint: "run 'etl run \(pipeline.name)' first, or pass --state DIR")
        }
        let store: StateStore
        do {
            store = try StateStore(folder: stateFolder)
        } catch {
            throw .store(error)
        }
        return try body(store)
    }

    private func wrap<T>(_ body: () throws(StoreError) -> T) throws(PipelineError) -> T {
        do {
            return try body()
        } catch {
            throw .store(error)
        }
    }

    private func loadInputs() throws(PipelineError) -> [(source: String, key: String, input: ResolverInput)] {
        try ResolutionInputs.load(pipeline: pipeline, stateFolder: stateFolder) ?? []
    }

    private func view(
        _ record: (source: String, key: String, input: ResolverInput), resident: String?, reveal: Bool
    ) -> RecordView {
        let input = record.input
        let values: [String?] = [
            input.name, input.idNumber, input.sexCode?.rawValue, input.birthDate, input.phone, input.address,
        ]
        return RecordView(
            source: record.source, key: record.key, resident: resident,
            values: zip(CanonicalField.allCases, values).map { Explainer.show($1, $0, reveal: reveal) })
    }

    /// A value as shown: as it is when revealed, else masked: names to their first character,
    /// ID numbers and phones to their ends, birth dates to the year, addresses to their first
    /// six characters. Sex codes are shown.
    static func show(_ value: String?, _ field: CanonicalField, reveal: Bool) -> String? {
        guard let value, !reveal else { return value }
        switch field {
        case .name: return Masking.mask(value, .golden(.name))
        case .idNumber: return Masking.mask(value, .golden(.idNumber))
        case .phone: return Masking.mask(value, .golden(.phone))
        case .sex: return value
        case .birthDate: return String(value.prefix(4)) + (value.count > 4 ? "-**-**" : "")
        case .address: return String(value.prefix(6)) + (value.count > 6 ? "…" : "")
        }
    }
}
