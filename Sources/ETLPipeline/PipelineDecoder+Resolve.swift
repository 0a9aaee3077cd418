import ETLCore
import ETLNormalise

extension PipelineDecoder {
    static let resolveKeys = [
        "enabled", "threshold", "separationWeight", "ambiguityMargin", "maxBlockSize", "blockWindow", "sourcePriority",
        "survivorship", "reviewFrom",
    ]

    /// Decodes the `resolve` section: whether to resolve, thresholds, blocking limits and
    /// survivorship.
    mutating func decodeResolve(_ node: JSONNode?, sources: [String]) -> (enabled: Bool, settings: ResolverSettings) {
        var settings = ResolverSettings()
        settings.survivorship.sourceRank = Array(sources.indices)
        guard let node, let members = object(node, "'resolve'", allowed: Self.resolveKeys) else {
            return (true, settings)
        }
        let enabled = members["enabled"].flatMap { bool($0.value, "'enabled'") } ?? true
        if let member = members["threshold"], let value = number(member.value, "'threshold'", range: 0.5...0.999_999) {
            settings.threshold = value
        }
        if let member = members["reviewFrom"], let value = number(member.value, "'reviewFrom'", range: 0.01...0.999) {
            settings.reviewFrom = value
            if value >= settings.threshold {
                error("'reviewFrom' must be below the threshold (\(settings.threshold))", at: member.value.position)
            }
        }
        if let member = members["separationWeight"],
            let value = number(member.value, "'separationWeight'", range: -100...0)
        {
            settings.separationWeight = value
        }
        if let member = members["ambiguityMargin"], let value = number(member.value, "'ambiguityMargin'", range: 0...50)
        {
            settings.ambiguityMargin = value
        }
        if let member = members["maxBlockSize"], let value = integer(member.value, "'maxBlockSize'", range: 2...100_000)
        {
            settings.maxBlockSize = value
        }
        if let member = members["blockWindow"], let value = integer(member.value, "'blockWindow'", range: 1...10_000) {
            settings.blockWindow = value
        }
        if let member = members["sourcePriority"], let names = strings(member.value, "'sourcePriority'") {
            var rank = [Int](repeating: names.count, count: sources.count)
            for (position, (name, at)) in names.enumerated() {
                guard let index = sources.firstIndex(of: name) else {
                    error("'sourcePriority' names no source '\(name)'\(Self.didYouMean(name, in: sources))", at: at)
                    continue
                }
                rank[index] = position
            }
            // Sources the list leaves out come after it, in the pipeline's order.
            settings.survivorship.sourceRank = rank.enumerated().map { $0.element * sources.count + $0.offset }
        }
        if let member = members["survivorship"],
            let rules = object(member.value, "'survivorship'", allowed: CanonicalField.allCases.map(\.rawValue))
        {
            for (key, rule) in rules {
                guard let field = CanonicalField(rawValue: key),
                    let value = oneOf(rule.value, "survivorship rule", SurvivorshipRule.self)
                else { continue }
                settings.survivorship.rules[field] = value
            }
        }
        return (enabled, settings)
    }

    mutating func number(_ node: JSONNode, _ what: String, range: ClosedRange<Double>) -> Double? {
        guard case .number(let text) = node.value, let number = Double(text) else {
            error("\(what) must be a number, not \(node.typeDescription)", at: node.position)
            return nil
        }
        guard range.contains(number) else {
            error("\(what) must be between \(range.lowerBound) and \(range.upperBound)", at: node.position)
            return nil
        }
        return number
    }
}
