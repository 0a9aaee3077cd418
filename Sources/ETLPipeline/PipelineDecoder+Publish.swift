import ETLCore
import ETLPublish

extension PipelineDecoder {
    static let publishKeys = ["folder", "key", "keyVersion", "retain", "datasets"]
    static let keyKeys = ["file", "environment", "fileFromEnvironment", "demoKeyInStateFolder"]
    static let datasetKeys = [
        "name", "recipient", "purpose", "description", "identified", "include", "columns", "key", "formats", "privacy",
    ]
    static let columnKeys = ["name", "from", "transform", "description"]
    static let payloadReferenceKeys = ["payload", "source"]
    static let generaliseKeys = ["generalise", "upTo"]
    static let includeKeys = ["from", "in", "min", "max", "present", "contains"]
    static let privacyKeys = ["k", "suppressionLimit", "quasiIdentifiers", "sensitive"]
    static let sensitiveKeys = ["column", "l"]
    static let simpleTransforms = ["keep", "pseudonym", "mask", "suppress"]

    /// Decodes the `publish` section: where snapshots go, the key, and the datasets.
    mutating func decodePublish(_ node: JSONNode?, folder: String, sources: [PipelineSource]) -> PublishSettings? {
        keyFolder = folder
        guard let node,
            let members = object(node, "'publish'", allowed: Self.publishKeys, required: ["datasets"])
        else { return nil }
        let target = members["folder"].flatMap { string($0.value, "'publish.folder'") }.map {
            FilePaths.resolve($0, against: folder)
        }
        let key = members["key"].flatMap { decodeKey($0.value) }
        var keyVersion = 1
        if let member = members["keyVersion"], let value = integer(member.value, "'keyVersion'", range: 1...1_000_000) {
            keyVersion = value
        }
        var retain = 10
        if let member = members["retain"], let value = integer(member.value, "'retain'", range: 1...10_000) {
            retain = value
        }
        var datasets: [Dataset] = []
        if let node = members["datasets"]?.value {
            if let elements = node.elements, !elements.isEmpty {
                var seen: Set<String> = []
                for (index, element) in elements.enumerated() {
                    guard let dataset = decodeDataset(element, index: index, sources: sources) else { continue }
                    if !seen.insert(dataset.name).inserted {
                        error(
                            "duplicate dataset name '\(dataset.name)'; each dataset needs its own folder",
                            at: element["name"]?.position ?? element.position)
                    }
                    if dataset.columns.contains(where: { $0.transform == .pseudonym }), key == nil {
                        error(
                            "dataset '\(dataset.name)' has pseudonym columns, so 'publish' needs a 'key'",
                            at: element.position)
                    }
                    datasets.append(dataset)
                }
            } else {
                error("'datasets' must be a non-empty array of datasets", at: node.position)
            }
        }
        return PublishSettings(folder: target, key: key, keyVersion: keyVersion, retain: retain, datasets: datasets)
    }

    private mutating func decodeKey(_ node: JSONNode) -> KeySource? {
        guard let members = object(node, "'publish.key'", allowed: Self.keyKeys) else { return nil }
        let given = ["file", "environment", "fileFromEnvironment"].filter { members[$0] != nil }
        guard given.count == 1 else {
            error(
                "'publish.key' needs exactly one of 'file' (a key file's path), 'environment' (a variable holding the key) or 'fileFromEnvironment' (a variable holding the key file's path); never the key itself",
                at: node.position)
            return nil
        }
        var demoKey = false
        if let member = members["demoKeyInStateFolder"] {
            demoKey = bool(member.value, "'demoKeyInStateFolder'") ?? false
            if members["fileFromEnvironment"] == nil {
                error("'demoKeyInStateFolder' goes with 'fileFromEnvironment'", at: member.keyPosition)
            }
        }
        if let member = members["file"], let path = string(member.value, "'publish.key.file'") {
            return .file(FilePaths.resolve(path, against: keyFolder))
        }
        if let member = members["environment"], let name = string(member.value, "'publish.key.environment'") {
            return .environment(name)
        }
        if let member = members["fileFromEnvironment"],
            let name = string(member.value, "'publish.key.fileFromEnvironment'")
        {
            return .fileFromEnvironment(name, demoKey: demoKey)
        }
        return nil
    }

    private mutating func decodeDataset(_ node: JSONNode, index: Int, sources: [PipelineSource]) -> Dataset? {
        let what = "datasets[\(index)]"
        guard
            let members = object(
                node, what, allowed: Self.datasetKeys, required: ["name", "recipient", "purpose", "columns"])
        else { return nil }
        let errorsBefore = diagnostics.filter { $0.severity == .error }.count
        let name = members["name"].flatMap { string($0.value, "\(what).name") } ?? ""
        if !name.isEmpty, !name.utf8.allSatisfy({ isNameByte($0) }) {
            error(
                "dataset name '\(name)' may use only letters a-z, digits, '_' and '-', as it names a folder",
                at: members["name"]!.value.position)
        }
        let recipient = members["recipient"].flatMap { string($0.value, "\(what).recipient") } ?? ""
        let purpose = members["purpose"].flatMap { string($0.value, "\(what).purpose") } ?? ""
        if let description = members["description"] { _ = string(description.value, "'description'", allowEmpty: true) }
        let identified = members["identified"].flatMap { bool($0.value, "'identified'") } ?? false
        var columns: [Column] = []
        var columnPositions: [String: TextPosition] = [:]
        if let node = members["columns"]?.value {
            if let elements = node.elements, !elements.isEmpty {
                for element in elements {
                    guard let column = decodeColumn(element, identified: identified, sources: sources) else { continue }
                    if columnPositions[column.name] != nil {
                        error("duplicate column name '\(column.name)' in dataset '\(name)'", at: element.position)
                        continue
                    }
                    columnPositions[column.name] = element.position
                    columns.append(column)
                }
            } else {
                error("'columns' must be a non-empty array of columns", at: node.position)
            }
        }
        var include: [Condition] = []
        if let node = members["include"]?.value {
            if let elements = node.elements {
                include = elements.compactMap { decodeCondition($0, sources: sources) }
            } else {
                error("'include' must be an array of conditions", at: node.position)
            }
        }
        var key: String?
        if let member = members["key"], let name = string(member.value, "'key'") {
            if let column = columns.first(where: { $0.name == name }) {
                if column.source == .residentID, column.transform == .keep || column.transform == .pseudonym {
                    key = name
                } else {
                    error(
                        "the key column '\(name)' must publish 'residentId' (kept or as a pseudonym), which is unique per row",
                        at: member.value.position)
                }
            } else {
                error(
                    "'key' names no column '\(name)'\(Self.didYouMean(name, in: columns.map(\.name)))",
                    at: member.value.position)
            }
        }
        var formats: [OutputFormat] = [.csv]
        if let member = members["formats"] {
            if let elements = member.value.elements, !elements.isEmpty {
                formats = []
                for element in elements {
                    guard let format = oneOf(element, "format", OutputFormat.self) else { continue }
                    if formats.contains(format) {
                        error("format '\(format.rawValue)' is listed twice", at: element.position)
                    } else {
                        formats.append(format)
                    }
                }
            } else {
                error("'formats' must be a non-empty array of 'csv', 'jsonl' and 'sqlite'", at: member.value.position)
            }
        }
        var privacy: PrivacyModel?
        if let member = members["privacy"] {
            privacy = decodePrivacy(member.value, columns: columns)
        } else if !identified {
            error(
                "dataset '\(name)' is not identified, so it needs 'privacy' with its 'quasiIdentifiers' (the columns that, together, could single a resident out)",
                at: node.position)
        }
        guard diagnostics.filter({ $0.severity == .error }).count == errorsBefore else { return nil }
        return Dataset(
            name: name, recipient: recipient, purpose: purpose, identified: identified, include: include,
            columns: columns, key: key, formats: formats, privacy: privacy)
    }

    /// A column's or condition's `from`: a field name, or `{"payload": …, "source": …}`.
    private mutating func decodeValueSource(_ node: JSONNode, sources: [PipelineSource]) -> ValueSource? {
        if let name = node.stringValue {
            if let source = ValueSource.named[name] { return source }
            error(
                "unknown value '\(name)'\(Self.didYouMean(name, in: ValueSource.named.keys.sorted())), or use {\"payload\": …}",
                at: node.position)
            return nil
        }
        guard let members = object(node, "'from'", allowed: Self.payloadReferenceKeys, required: ["payload"]),
            let field = members["payload"].flatMap({ string($0.value, "'payload'") })
        else { return nil }
        var sourceName: String?
        if let member = members["source"], let name = string(member.value, "'source'") {
            guard let source = sources.first(where: { $0.name == name }) else {
                error(
                    "no source '\(name)'\(Self.didYouMean(name, in: sources.map(\.name)))", at: member.value.position)
                return nil
            }
            guard source.spec.payload.contains(field) else {
                error(
                    "source '\(name)' carries no payload field '\(field)'\(Self.didYouMean(field, in: source.spec.payload)); add it to the source's 'payload' first",
                    at: members["payload"]!.value.position)
                return nil
            }
            sourceName = name
        } else if !sources.contains(where: { $0.spec.payload.contains(field) }) {
            let all = sources.flatMap(\.spec.payload)
            error(
                "no source carries the payload field '\(field)'\(Self.didYouMean(field, in: all))",
                at: members["payload"]!.value.position)
            return nil
        }
        return .payload(field: field, source: sourceName)
    }

    private mutating func decodeColumn(_ node: JSONNode, identified: Bool, sources: [PipelineSource]) -> Column? {
        guard
            let members = object(node, "a column", allowed: Self.columnKeys, required: ["name", "from", "transform"]),
            let name = members["name"].flatMap({ string($0.value, "a column's 'name'") }),
            let source = members["from"].flatMap({ decodeValueSource($0.value, sources: sources) }),
            let transformNode = members["transform"]?.value
        else { return nil }
        if !name.utf8.allSatisfy({ isNameByte($0) }) {
            error(
                "column name '\(name)' may use only letters a-z, digits, '_' and '-'",
                at: members["name"]!.value.position)
        }
        let transform: ColumnTransform
        if let text = transformNode.stringValue {
            switch text {
            case "keep": transform = .keep
            case "pseudonym": transform = .pseudonym
            case "mask": transform = .mask
            case "suppress": transform = .suppress
            default:
                error(
                    "unknown transform '\(text)'\(Self.didYouMean(text, in: Self.simpleTransforms + ["generalise"])); 'generalise' is written {\"generalise\": level}",
                    at: transformNode.position)
                return nil
            }
        } else if let members = object(
            transformNode, "a transform", allowed: Self.generaliseKeys, required: ["generalise"])
        {
            guard let hierarchy = source.hierarchy else {
                error(
                    "'\(source)' cannot be generalised; use keep, pseudonym, mask or suppress",
                    at: transformNode.position)
                return nil
            }
            guard let level = members["generalise"].flatMap({ decodeLevel($0.value, hierarchy) }) else { return nil }
            var coarsest = level
            if let member = members["upTo"] {
                guard let value = decodeLevel(member.value, hierarchy) else { return nil }
                guard value >= level else {
                    error(
                        "'upTo' must be at least as coarse as '\(hierarchy.levels[level])'", at: member.value.position)
                    return nil
                }
                coarsest = value
            }
            transform = .generalise(level: level, coarsest: coarsest)
        } else {
            return nil
        }
        let at = transformNode.position
        switch transform {
        case .keep where source.isDirectIdentifier && !identified:
            error(
                "column '\(name)' keeps '\(source)', a direct identifier, in a dataset that is not identified; use pseudonym, or mark the dataset \"identified\": true",
                at: at)
            return nil
        case .pseudonym where ![.residentID, .golden(.idNumber), .golden(.phone)].contains(source):
            error(
                "pseudonyms are made from 'residentId', 'idNumber' or 'phone' (standardised), not from '\(source)'",
                at: at)
            return nil
        case .mask where ![.golden(.idNumber), .golden(.phone), .golden(.name)].contains(source):
            error("'mask' is for 'idNumber', 'phone' and 'name', not '\(source)'", at: at)
            return nil
        case .mask where !identified:
            error(
                "masked values are for display in an identified dataset; mark the dataset \"identified\": true, or use pseudonym",
                at: at)
            return nil
        default:
            return Column(name: name, source: source, transform: transform)
        }
    }

    private mutating func decodeLevel(_ node: JSONNode, _ hierarchy: Hierarchy) -> Int? {
        guard let text = string(node, "a level") else { return nil }
        if let level = hierarchy.levels.firstIndex(of: text) { return level }
        error(
            "unknown level '\(text)' for \(hierarchy.rawValue) values\(Self.didYouMean(text, in: hierarchy.levels))",
            at: node.position)
        return nil
    }

    private mutating func decodeCondition(_ node: JSONNode, sources: [PipelineSource]) -> Condition? {
        guard let members = object(node, "a condition", allowed: Self.includeKeys, required: ["from"]),
            let source = members["from"].flatMap({ decodeValueSource($0.value, sources: sources) })
        else { return nil }
        let tests = ["in", "min", "max", "present", "contains"].filter { members[$0] != nil }
        if tests.isEmpty || (tests.count > 1 && Set(tests) != ["min", "max"]) {
            error("a condition needs one of 'in', 'min'/'max', 'present' or 'contains'", at: node.position)
            return nil
        }
        if let member = members["in"] {
            guard let values = strings(member.value, "'in'") else { return nil }
            return Condition(source: source, test: .oneOf(values.map(\.0)))
        }
        if let member = members["present"] {
            guard let value = bool(member.value, "'present'") else { return nil }
            return Condition(source: source, test: .present(value))
        }
        if let member = members["contains"] {
            guard source == .departments else {
                error("'contains' tests 'departments'", at: member.keyPosition)
                return nil
            }
            guard let name = string(member.value, "'contains'") else { return nil }
            guard sources.contains(where: { $0.name == name }) else {
                error("no source '\(name)'\(Self.didYouMean(name, in: sources.map(\.name)))", at: member.value.position)
                return nil
            }
            return Condition(source: source, test: .knownTo(name))
        }
        let low = members["min"].flatMap { number($0.value, "'min'", range: -1e15...1e15) }
        let high = members["max"].flatMap { number($0.value, "'max'", range: -1e15...1e15) }
        guard low != nil || high != nil else { return nil }
        return Condition(source: source, test: .between(min: low, max: high))
    }

    private mutating func decodePrivacy(_ node: JSONNode, columns: [Column]) -> PrivacyModel? {
        guard let members = object(node, "'privacy'", allowed: Self.privacyKeys, required: ["quasiIdentifiers"]) else {
            return nil
        }
        var model = PrivacyModel(quasiIdentifiers: [])
        if let member = members["k"], let k = integer(member.value, "'k'", range: 2...1_000_000) { model.k = k }
        if let member = members["suppressionLimit"],
            let limit = number(member.value, "'suppressionLimit'", range: 0...0.5)
        {
            model.suppressionLimit = limit
        }
        if let member = members["quasiIdentifiers"], let names = strings(member.value, "'quasiIdentifiers'") {
            if names.isEmpty { error("'quasiIdentifiers' must name at least one column", at: member.value.position) }
            for (name, position) in names {
                guard let column = columns.first(where: { $0.name == name }) else {
                    error(
                        "'quasiIdentifiers' names no column '\(name)'\(Self.didYouMean(name, in: columns.map(\.name)))",
                        at: position)
                    continue
                }
                switch column.transform {
                case .keep, .generalise, .suppress: model.quasiIdentifiers.append(name)
                default:
                    error(
                        "quasi-identifier '\(name)' must be kept or generalised (a \(column.transform) column cannot be one)",
                        at: position)
                }
            }
        }
        if let member = members["sensitive"],
            let sensitive = object(
                member.value, "'sensitive'", allowed: Self.sensitiveKeys, required: ["column", "l"]),
            let name = sensitive["column"].flatMap({ string($0.value, "'column'") }),
            let l = sensitive["l"].flatMap({ integer($0.value, "'l'", range: 2...1000) })
        {
            if !columns.contains(where: { $0.name == name }) {
                error(
                    "'sensitive' names no column '\(name)'\(Self.didYouMean(name, in: columns.map(\.name)))",
                    at: sensitive["column"]!.value.position)
            } else if model.quasiIdentifiers.contains(name) {
                error("'\(name)' cannot be both a quasi-identifier and the sensitive column", at: member.value.position)
            } else {
                model.sensitive = (name, l)
            }
        }
        return model
    }
}
