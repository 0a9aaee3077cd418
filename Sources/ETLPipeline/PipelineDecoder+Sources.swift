import ETLCore
import ETLImport

extension PipelineDecoder {
    /// Decodes the whole file; `nil` when there were errors (see `diagnostics`).
    mutating func decodePipeline(
        _ root: JSONNode, defaultName: String, folder: String, sha256: String, path: String
    )
        -> Pipeline?
    {
        let folderOfFile = folder
        guard let members = object(root, "the pipeline", allowed: Self.pipelineKeys, required: ["sources"]) else {
            return nil
        }
        let name = members["name"].flatMap { string($0.value, "'name'") } ?? defaultName
        if let node = members["description"] { _ = string(node.value, "'description'", allowEmpty: true) }
        let inbox = members["inbox"].flatMap { string($0.value, "'inbox'") }.map {
            FilePaths.resolve($0, against: folder)
        }
        var allowedFolders: [String] = []
        if let node = members["allowedFolders"]?.value {
            if let elements = node.elements {
                for element in elements {
                    guard let folder = string(element, "a folder in 'allowedFolders'") else { continue }
                    let resolved = FilePaths.resolve(folder, against: folder.hasPrefix("/") ? "/" : folderOfFile)
                    if FilePaths.isDirectory(resolved) {
                        allowedFolders.append(resolved)
                    } else {
                        error("allowed folder '\(folder)' is not an existing folder", at: element.position)
                    }
                }
            } else {
                error("'allowedFolders' must be an array of folders, not \(node.typeDescription)", at: node.position)
            }
        }
        var sources: [PipelineSource] = []
        if let node = members["sources"]?.value {
            if let elements = node.elements {
                if elements.isEmpty { error("'sources' is empty; declare at least one source", at: node.position) }
                var seen: [String: TextPosition] = [:]
                for (index, element) in elements.enumerated() {
                    // Names are compared as written, so a duplicate is reported even when
                    // either source has other errors.
                    if let nameNode = element["name"], let name = nameNode.stringValue {
                        if let first = seen[name] {
                            error(
                                "duplicate source name '\(name)'; it is already used at line \(first.line); give each source its own name",
                                at: nameNode.position)
                        } else {
                            seen[name] = nameNode.position
                        }
                    }
                    if let source = decodeSource(element, index: index) { sources.append(source) }
                }
            } else {
                error("'sources' must be an array of sources, not \(node.typeDescription)", at: node.position)
            }
        }
        let resolve = decodeResolve(members["resolve"]?.value, sources: sources.map(\.name))
        let publish = decodePublish(members["publish"]?.value, folder: folder, sources: sources)
        if let member = members["publish"], !resolve.enabled {
            error(
                "'publish' needs resolved residents; remove \"enabled\": false from 'resolve'", at: member.keyPosition)
        }
        var keepRuns = 90
        if let node = members["history"]?.value,
            let history = object(node, "'history'", allowed: Self.historyKeys),
            let member = history["keepRuns"], let value = integer(member.value, "'keepRuns'", range: 1...1_000_000)
        {
            keepRuns = value
        }
        guard !hasErrors else { return nil }
        var pipeline = Pipeline(
            name: name, path: path, sha256: sha256, inbox: inbox, allowedFolders: allowedFolders, sources: sources,
            resolves: resolve.enabled, resolve: resolve.settings, publish: publish)
        pipeline.keepRuns = keepRuns
        return pipeline
    }

    private mutating func decodeSource(_ node: JSONNode, index: Int) -> PipelineSource? {
        let what = "sources[\(index)]"
        guard
            let members = object(
                node, what, allowed: Self.sourceKeys, required: ["name", "format", "files", "key", "fields"])
        else { return nil }
        let errorsBefore = diagnostics.filter { $0.severity == .error }.count
        let name = members["name"].flatMap { string($0.value, "\(what).name") } ?? ""
        if !name.isEmpty, !name.utf8.allSatisfy({ isNameByte($0) }) {
            error(
                "source name '\(name)' may use only letters a-z, digits, '_' and '-', so it can name files and columns",
                at: members["name"]!.value.position)
        }
        let format = members["format"].flatMap { oneOf($0.value, "format", SourceFormat.self) } ?? .csv
        if let description = members["description"] {
            _ = string(description.value, "\(what).description", allowEmpty: true)
        }
        let files = members["files"].map { decodeFiles($0.value, what: what, format: format) } ?? []
        var spec = SourceSpec(name: name, key: "", fields: [:])
        if let node = members["encoding"]?.value, let encoding = oneOf(node, "encoding", TextEncoding.self) {
            if encoding == .gb18030 && format != .csv {
                error(
                    "\(format.rawValue.uppercased()) files are read as UTF-8; GB18030 applies to CSV only, so use \"utf-8\" or \"auto\"",
                    at: node.position)
            }
            spec.encoding = encoding
        }
        let formats = Set([format] + files.map(\.format))
        if spec.encoding == .gb18030, let other = formats.first(where: { $0 != .csv }), format == .csv {
            error(
                "\(what) reads some files as \(other.rawValue), which is always UTF-8; GB18030 applies to CSV only, so use \"auto\" or give those files their own source",
                at: members["encoding"]?.value.position ?? node.position)
        }
        decodeFormatOptions(members, formats: formats, what: what, at: node.position, into: &spec)
        var columnLocations: [String: String] = [:]
        if let node = members["key"]?.value, let key = string(node, "\(what).key") {
            spec.key = key
            columnLocations[key] = location(node.position)
        }
        if let node = members["fields"]?.value {
            spec.fields = decodeFields(node, what: what, columnLocations: &columnLocations)
        }
        if let node = members["values"]?.value {
            spec.sexValues = decodeValueMaps(node, what: what)
        }
        if let node = members["dateFormats"]?.value, let patterns = strings(node, "\(what).dateFormats") {
            for (pattern, position) in patterns {
                if let compiled = DatePattern(pattern) {
                    spec.dateFormats.append(compiled)
                } else {
                    error(
                        "date format '\(pattern)': \(DatePattern.problem(in: pattern) ?? "not usable"); for example \"yyyy-MM-dd\" or \"yyyy/M/d\"",
                        at: position)
                }
            }
        } else if spec.fields[.birthDate] != nil {
            warning(
                "\(what) maps birthDate but declares no dateFormats, so no birth date will be understood; add for example \"dateFormats\": [\"yyyy-MM-dd\"]",
                at: node.position)
        }
        if let node = members["payload"]?.value, let fields = strings(node, "\(what).payload") {
            var seen = Set<String>()
            for (field, position) in fields {
                if !seen.insert(field).inserted {
                    error("payload field '\(field)' is listed twice", at: position)
                }
                columnLocations[field] = columnLocations[field] ?? location(position)
                spec.payload.append(field)
            }
        }
        var guards = SourceGuards()
        if let node = members["limits"]?.value,
            let limits = object(node, "\(what).limits", allowed: Self.limitKeys)
        {
            if let share = limits["maxRejectedShare"] {
                guards.maxRejectedShare =
                    number(share.value, "maxRejectedShare", range: 0...1) ?? guards.maxRejectedShare
                guards.maxRejectedShareLocation = location(share.value.position)
            }
            if let share = limits["minShareOfPrevious"] {
                guards.minShareOfPrevious =
                    number(share.value, "minShareOfPrevious", range: 0...1) ?? guards.minShareOfPrevious
            }
            if let bytes = limits["maxRecordBytes"] {
                spec.maxRecordBytes =
                    integer(bytes.value, "maxRecordBytes", range: 4096...(1 << 30)) ?? spec.maxRecordBytes
            }
            if let depth = limits["maxNestingDepth"] {
                spec.maxNestingDepth = integer(depth.value, "maxNestingDepth", range: 1...256) ?? spec.maxNestingDepth
            }
        }
        let errorsAfter = diagnostics.filter { $0.severity == .error }.count
        guard errorsAfter == errorsBefore else { return nil }
        let export = members["export"].flatMap { oneOf($0.value, "export", ExportSelection.self) } ?? .newestFile
        return PipelineSource(
            spec: spec, format: format, files: files, export: export, location: location(node.position),
            columnLocations: columnLocations, guards: guards)
    }

    func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    private mutating func decodeFiles(_ node: JSONNode, what: String, format: SourceFormat) -> [FilePattern] {
        let entries: [JSONNode]
        if node.stringValue != nil {
            entries = [node]
        } else if let elements = node.elements, !elements.isEmpty {
            entries = elements
        } else {
            error(
                "\(what).files must be a glob such as \"social_security*.csv\", or an array of globs", at: node.position
            )
            return []
        }
        var patterns: [FilePattern] = []
        for entry in entries {
            var glob: String?
            var entryFormat = format
            var position = entry.position
            if entry.stringValue != nil {
                glob = string(entry, "a glob in \(what).files")
            } else if let members = object(
                entry, "a file pattern in \(what).files", allowed: Self.filePatternKeys, required: ["glob"])
            {
                glob = members["glob"].flatMap { string($0.value, "'glob'") }
                position = members["glob"]?.value.position ?? position
                if let node = members["format"]?.value, let value = oneOf(node, "format", SourceFormat.self) {
                    entryFormat = value
                }
            }
            guard let glob else { continue }
            if let problem = FilePaths.problem(inGlob: glob) {
                error("glob '\(glob)' \(problem)", at: position)
                continue
            }
            patterns.append(FilePattern(glob: glob, format: entryFormat, position: position))
        }
        return patterns
    }

    private mutating func decodeFormatOptions(
        _ members: [String: JSONMember], formats: Set<SourceFormat>, what: String, at source: TextPosition,
        into spec: inout SourceSpec
    ) {
        let read = formats.map(\.rawValue).sorted().joined(separator: " and ")
        for (key, needed) in [("csv", SourceFormat.csv), ("xml", .xml), ("json", .json)]
        where !formats.contains(needed) {
            if let member = members[key] {
                warning("'\(key)' settings are ignored: \(what) reads \(read)", at: member.keyPosition)
            }
        }
        if let node = members["csv"]?.value, let csv = object(node, "\(what).csv", allowed: Self.csvKeys) {
            if let delimiter = csv["delimiter"]?.value, let text = string(delimiter, "the CSV delimiter") {
                let bytes = Array(text.utf8)
                if bytes.count == 1, bytes[0] < 0x80, ![UInt8(ascii: "\""), 0x0A, 0x0D].contains(bytes[0]) {
                    spec.csv.delimiter = bytes[0]
                } else {
                    error(
                        "the CSV delimiter must be one ASCII character other than a quote or a line break, such as \",\" or \"\\t\"",
                        at: delimiter.position)
                }
            }
            if let limit = csv["maxQuotedFieldBytes"]?.value {
                spec.csv.maxQuotedFieldBytes =
                    integer(limit, "maxQuotedFieldBytes", range: 1...(1 << 30)) ?? spec.csv.maxQuotedFieldBytes
            }
            if let limit = csv["maxQuotedFieldLines"]?.value {
                spec.csv.maxQuotedFieldLines =
                    integer(limit, "maxQuotedFieldLines", range: 1...1_000_000) ?? spec.csv.maxQuotedFieldLines
            }
        }
        if let node = members["xml"]?.value, let xml = object(node, "\(what).xml", allowed: Self.xmlKeys) {
            if let element = xml["recordElement"]?.value, let name = string(element, "the XML record element") {
                if name.utf8.contains(where: {
                    $0 <= 0x20 || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "/")
                }) {
                    error("the XML record element must be an element name such as \"person\"", at: element.position)
                } else {
                    spec.xmlRecordElement = name
                }
            }
        }
        if formats.contains(.xml), members["xml"]?.value["recordElement"]?.stringValue == nil {
            error(
                "\(what) reads XML, so it needs \"xml\": {\"recordElement\": \"…\"} naming the element that holds one record",
                at: members["xml"]?.value.position ?? members["format"]?.value.position ?? source)
        }
        if let node = members["json"]?.value, let json = object(node, "\(what).json", allowed: Self.jsonKeys) {
            if let records = json["records"]?.value, let path = string(records, "the JSON records path") {
                let trimmed = path.hasPrefix("$.") ? String(path.dropFirst(2)) : path
                let components = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                if components.contains(where: \.isEmpty) {
                    error(
                        "the JSON records path must be keys joined by '.', such as \"records\" or \"data.records\"",
                        at: records.position)
                } else {
                    spec.jsonRecordsPath = components
                }
            }
        }
    }

    private mutating func decodeFields(
        _ node: JSONNode, what: String, columnLocations: inout [String: String]
    ) -> [CanonicalField: FieldMapping] {
        let names = CanonicalField.allCases.map(\.rawValue)
        guard let members = node.members else {
            error("\(what).fields must be an object mapping canonical fields to source fields", at: node.position)
            return [:]
        }
        var fields: [CanonicalField: FieldMapping] = [:]
        for member in members {
            guard let field = CanonicalField(rawValue: member.key) else {
                error(
                    "unknown canonical field '\(member.key)'\(Self.didYouMean(member.key, in: names))",
                    at: member.keyPosition)
                continue
            }
            if fields[field] != nil {
                error("canonical field '\(member.key)' is mapped twice", at: member.keyPosition)
                continue
            }
            guard let mapping = decodeMapping(member.value, field: member.key, columnLocations: &columnLocations) else {
                continue
            }
            fields[field] = mapping
        }
        return fields
    }

    private mutating func decodeMapping(
        _ node: JSONNode, field: String, columnLocations: inout [String: String]
    ) -> FieldMapping? {
        if node.stringValue != nil {
            guard let column = string(node, "the source field of '\(field)'") else { return nil }
            columnLocations[column] = columnLocations[column] ?? location(node.position)
            return FieldMapping(sources: [column])
        }
        guard
            let members = object(
                node, "the mapping of '\(field)' (a source field name, or {\"from\": …})", allowed: Self.mappingKeys,
                required: ["from"])
        else { return nil }
        var mapping = FieldMapping(sources: [])
        if let from = members["from"]?.value {
            if from.stringValue != nil, let column = string(from, "'from'") {
                mapping.sources = [column]
                columnLocations[column] = columnLocations[column] ?? location(from.position)
            } else if let columns = strings(from, "'from'"), !columns.isEmpty {
                mapping.sources = columns.map(\.0)
                for (column, position) in columns {
                    columnLocations[column] = columnLocations[column] ?? location(position)
                }
            } else {
                error("'from' must name a source field, or list the fields to join", at: from.position)
            }
        }
        if let separator = members["separator"]?.value {
            mapping.separator = string(separator, "'separator'", allowEmpty: true) ?? ""
        }
        if let when = members["when"]?.value,
            let condition = object(when, "'when'", allowed: Self.conditionKeys, required: ["field", "in"])
        {
            if let fieldNode = condition["field"]?.value, let conditionField = string(fieldNode, "'when.field'"),
                let valuesNode = condition["in"]?.value, let values = strings(valuesNode, "'when.in'")
            {
                mapping.condition = FieldMapping.Condition(field: conditionField, values: values.map(\.0))
                columnLocations[conditionField] = columnLocations[conditionField] ?? location(fieldNode.position)
            }
        }
        return mapping.sources.isEmpty ? nil : mapping
    }

    private mutating func decodeValueMaps(_ node: JSONNode, what: String) -> [String: SexCode] {
        guard let maps = object(node, "\(what).values", allowed: Self.valueMapFields) else { return [:] }
        guard let sex = maps["sex"]?.value else { return [:] }
        guard let members = sex.members else {
            error("the value map for 'sex' must be an object such as {\"男\": \"1\", \"女\": \"2\"}", at: sex.position)
            return [:]
        }
        var result: [String: SexCode] = [:]
        for member in members {
            guard let text = string(member.value, "the sex code for '\(member.key)'") else { continue }
            guard let code = SexCode(rawValue: text) else {
                error(
                    "'\(text)' is not a sex code; use the GB/T 2261.1 codes \"1\" (male), \"2\" (female), \"0\" (unknown) or \"9\" (not stated)",
                    at: member.value.position)
                continue
            }
            result[member.key] = code
        }
        return result
    }
}
