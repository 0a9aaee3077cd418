import ETLCore
import ETLStore

/// Builds one dataset's rows from the resident table: selects the residents, runs the
/// privacy search, applies each column's transform, and checks for leaks.
struct DatasetBuilder {
    let dataset: Dataset
    let table: ResidentTable
    /// yyyymmdd of the snapshot date.
    let snapshotDate: Int32
    /// Per pseudonym column (by index), its pseudonymiser.
    let pseudonymisers: [Int: Pseudonymiser]

    /// What the build produced, for the files and the de-identification report.
    struct Built {
        var rows: RowSet
        var included: Int
        var suppressed: Int
        /// Per column, the level of its hierarchy it was published at, if generalised.
        var levels: [Int?]
        var kReached: Int?
        var lReached: Int?
        var classSizes: [Int]
        var nodesEvaluated: Int
    }

    var context: HierarchyContext {
        HierarchyContext(topCodedYear: Int64(snapshotDate / 10000) - Hierarchy.topAge, sources: table.sources)
    }

    func build() throws(PublishError) -> Built {
        let included = (0..<table.count).filter { row in dataset.include.allSatisfy { holds($0, row) } }
        var levels: [Int?] = dataset.columns.map { column in
            if case .generalise(let level, _) = column.transform { return level }
            return nil
        }
        var suppressed = [Bool](repeating: false, count: included.count)
        var suppressedCount = 0
        var kReached: Int?
        var lReached: Int?
        var classSizes: [Int] = []
        var nodesEvaluated = 0
        if let privacy = dataset.privacy {
            let search = privacySearch(privacy, included: included)
            let outcome = search.search()
            nodesEvaluated = outcome.nodesEvaluated
            guard let chosen = outcome.chosen else {
                throw .privacyNotReached(
                    dataset: dataset.name, k: privacy.k, l: privacy.sensitive?.l,
                    suppressionLimit: privacy.suppressionLimit, bestSuppressed: outcome.bestSuppressed,
                    included: included.count)
            }
            for (quasi, level) in zip(privacy.quasiIdentifiers, chosen.levels) {
                if let index = dataset.columns.firstIndex(where: { $0.name == quasi }), levels[index] != nil {
                    levels[index] = level
                }
            }
            suppressed = chosen.suppressed
            suppressedCount = chosen.suppressedCount
            kReached = chosen.smallestClass
            lReached = privacy.sensitive == nil ? nil : chosen.lowestDiversity
            classSizes = chosen.classSizes
        }
        var rows = RowSet(
            columns: dataset.columns, integerColumns: dataset.columns.map { isInteger($0) })
        let cells = CellWriter(builder: self, levels: levels)
        for (position, row) in included.enumerated() where !suppressed[position] {
            for index in dataset.columns.indices {
                try cells.append(column: index, row: row, to: &rows)
            }
        }
        if !dataset.identified, !LeakGuard.columnsToCheck(dataset.columns).isEmpty {
            try LeakGuard(table: table, included: included).check(rows, dataset: dataset)
        }
        rows.sort(key: dataset.key.flatMap { key in dataset.columns.firstIndex { $0.name == key } })
        return Built(
            rows: rows, included: included.count, suppressed: suppressedCount, levels: levels, kReached: kReached,
            lReached: lReached, classSizes: classSizes, nodesEvaluated: nodesEvaluated)
    }

    /// Whether a column's cells are whole numbers: age and birth year kept as they are.
    func isInteger(_ column: Column) -> Bool {
        guard column.transform == .keep else { return false }
        return column.source == .age || column.source == .birthYear
    }

    // MARK: - Values

    /// The value of `source` for resident `row`, as text.
    func text(_ source: ValueSource, _ row: Int) -> String? {
        switch source {
        case .golden(.name): return table.names[row]
        case .golden(.idNumber): return table.idNumbers[row]
        case .golden(.sex): return table.sex[row] == 0 ? nil : String(UnicodeScalar(table.sex[row]))
        case .golden(.birthDate):
            let date = table.birth[row]
            guard date > 0 else { return nil }
            return DatePattern.iso(year: Int(date / 10000), month: Int(date / 100 % 100), day: Int(date % 100))
        case .golden(.phone): return table.phones[row]
        case .golden(.address): return table.addresses[row]
        case .residentID: return StateStore.residentID(table.numbers[row])
        case .age, .birthYear:
            let value = number(source, row)
            return value == Hierarchy.missing ? nil : String(value)
        case .region:
            return Hierarchy.region.label(Int64(table.region[row]), level: 0, context: context)
        case .departments: return table.departmentList(table.departments[row])
        case .payload(let field, let source):
            guard let index = table.payloadReferences.firstIndex(of: .init(field: field, source: source)) else {
                return nil
            }
            let code = table.payloadCodes[index][row]
            return code < 0 ? nil : table.payloadValues[index][Int(code)]
        }
    }

    /// The value of `source` for resident `row` as its hierarchy's raw number, or
    /// `Hierarchy.missing`.
    func number(_ source: ValueSource, _ row: Int) -> Int64 {
        switch source {
        case .golden(.birthDate): return table.birth[row] > 0 ? Int64(table.birth[row]) : Hierarchy.missing
        case .golden(.address), .region: return table.region[row] > 0 ? Int64(table.region[row]) : Hierarchy.missing
        case .age: return ResidentTable.age(birth: table.birth[row], on: snapshotDate) ?? Hierarchy.missing
        case .birthYear: return table.birth[row] > 0 ? Int64(table.birth[row] / 10000) : Hierarchy.missing
        case .payload:
            guard let text = text(source, row), let value = Double(text), value.isFinite,
                abs(value) < 1e15
            else { return Hierarchy.missing }
            return Int64(value.rounded(.down))
        case .golden(.sex): return table.sex[row] == 0 ? Hierarchy.missing : Int64(table.sex[row])
        case .departments: return Int64(bitPattern: table.departments[row])
        default: return Hierarchy.missing
        }
    }

    /// Whether `condition` holds for resident `row`.
    func holds(_ condition: Condition, _ row: Int) -> Bool {
        switch condition.test {
        case .oneOf(let values):
            return text(condition.source, row).map(values.contains) ?? false
        case .between(let low, let high):
            let value: Double
            if condition.source == .age || condition.source == .birthYear {
                let raw = number(condition.source, row)
                guard raw != Hierarchy.missing else { return false }
                value = Double(raw)
            } else {
                guard let parsed = text(condition.source, row).flatMap(Double.init) else { return false }
                value = parsed
            }
            return (low.map { value >= $0 } ?? true) && (high.map { value <= $0 } ?? true)
        case .present(let wanted):
            return (text(condition.source, row).map { !$0.isEmpty } ?? false) == wanted
        case .knownTo(let source):
            guard let index = table.sources.firstIndex(of: source) else { return false }
            return table.departments[row] & (1 << UInt64(index)) != 0
        }
    }

    // MARK: - Privacy

    func privacySearch(_ privacy: PrivacyModel, included: [Int]) -> PrivacySearch {
        var quasis: [PrivacySearch.Quasi] = []
        for name in privacy.quasiIdentifiers {
            guard let column = dataset.columns.first(where: { $0.name == name }) else { continue }
            if case .generalise(let level, let coarsest) = column.transform, let hierarchy = column.source.hierarchy {
                let raw = included.map { number(column.source, $0) }
                let context = context
                quasis.append(
                    PrivacySearch.Quasi(levels: Array(level...max(level, coarsest))) { row, level in
                        hierarchy.code(raw[row], level: level, context: context)
                    })
            } else {
                // Any other transform publishes one value per resident: its text is its class.
                let codes = internedCodes(publishedTexts(column, included))
                quasis.append(PrivacySearch.Quasi(levels: [0]) { row, _ in Int64(codes[row]) })
            }
        }
        var sensitive: [Int32]?
        if let (name, _) = privacy.sensitive, let column = dataset.columns.first(where: { $0.name == name }) {
            sensitive = internedCodes(publishedTexts(column, included))
        }
        return PrivacySearch(
            rows: included.count, quasis: quasis, sensitive: sensitive, k: privacy.k, l: privacy.sensitive?.l ?? 0,
            suppressionLimit: privacy.suppressionLimit)
    }

    /// The cells a column publishes (at its declared level) for `rows`, for classes.
    private func publishedTexts(_ column: Column, _ rows: [Int]) -> [String?] {
        let index = dataset.columns.firstIndex(of: column)!
        let levels = dataset.columns.map { column -> Int? in
            if case .generalise(let level, _) = column.transform { return level }
            return nil
        }
        let cells = CellWriter(builder: self, levels: levels)
        var scratch = RowSet(columns: [column], integerColumns: [false])
        // Pseudonyms are never quasi-identifiers or sensitive (the decoder refuses them), so
        // no key is needed here.
        for row in rows { try? cells.append(column: index, row: row, to: &scratch) }
        return (0..<scratch.count).map { scratch.string(row: $0, column: 0) }
    }

    private func internedCodes(_ values: [String?]) -> [Int32] {
        var codes: [String?: Int32] = [:]
        return values.map { value in
            if let code = codes[value] { return code }
            let code = Int32(codes.count)
            codes[value] = code
            return code
        }
    }
}

/// Display masks: enough of a value to recognise it, not enough to use it.
public enum Masking {
    /// `110101********1234`, `138****5678`, `张*` (one star, whatever the name's length).
    public static func mask(_ value: String, _ source: ValueSource) -> String {
        var output: [UInt8] = []
        mask(Array(value.utf8)[...], source, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the mask of the UTF-8 `value` to `output`.
    static func mask(_ value: ArraySlice<UInt8>, _ source: ValueSource, to output: inout [UInt8]) {
        let star = UInt8(ascii: "*")
        switch source {
        case .golden(.idNumber), .golden(.phone):
            let (head, tail) = source == .golden(.idNumber) ? (6, 4) : (3, 4)
            guard value.count > head + tail else {
                output.append(contentsOf: repeatElement(star, count: value.count))
                return
            }
            output.append(contentsOf: value.prefix(head))
            output.append(contentsOf: repeatElement(star, count: value.count - head - tail))
            output.append(contentsOf: value.suffix(tail))
        default:
            // The first character (its UTF-8 length read from the lead byte), then one star.
            guard let lead = value.first else {
                output.append(star)
                return
            }
            let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            output.append(contentsOf: value.prefix(length))
            output.append(star)
        }
    }
}
