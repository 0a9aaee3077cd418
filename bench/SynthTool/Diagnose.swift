import ETLNormalise
import ETLPipeline
import Synth

/// `etl-synth diagnose`: how the true pairs and the false links fared in a resolution of
/// generated data: pairs completeness of blocking, and why pairs were missed or joined.
/// Prints comparison levels and weights only, no values.
enum Diagnose {
    static func run(pipelinePath: String, stateFolder: String, truthPath: String) throws {
        let (pipeline, _) = try Pipeline.load(path: pipelinePath)
        guard let loaded = try ResolutionInputs.load(pipeline: pipeline, stateFolder: stateFolder) else {
            throw SynthError.cannotRead(stateFolder)
        }
        let truth = try QualityScorer.truth(csv: try QualityScorer.read(truthPath))
        var byPerson: [Int: [Int]] = [:]
        var facts: [QualityScorer.Truth?] = []
        for (index, record) in loaded.enumerated() {
            let fact = truth[record.source + "," + record.key]
            facts.append(fact)
            if let fact { byPerson[fact.person, default: []].append(index) }
        }
        var truePairs: [(Int, Int)] = []
        for records in byPerson.values where records.count > 1 {
            for i in 0..<(records.count - 1) {
                for j in (i + 1)..<records.count { truePairs.append((records[i], records[j])) }
            }
        }
        let resolver = Resolver(settings: pipeline.resolve)
        let resolution = resolver.resolve(loaded.map(\.input))
        var falsePairs: [(Int, Int)] = []
        for cluster in resolution.clusters where cluster.count > 1 {
            for i in 0..<(cluster.count - 1) {
                for j in (i + 1)..<cluster.count where facts[cluster[i]]?.person != facts[cluster[j]]?.person {
                    falsePairs.append((cluster[i], cluster[j]))
                }
            }
        }
        let diagnoses = resolver.diagnose(loaded.map(\.input), pairs: truePairs + falsePairs)
        let trueDiagnoses = diagnoses.prefix(truePairs.count)
        let compared = trueDiagnoses.filter(\.compared).count
        print("true pairs \(truePairs.count), compared by blocking \(compared)")
        print("pairs completeness \(Double(compared) / Double(max(truePairs.count, 1)))")
        // Of the true pairs that would pass the link test if compared, the share blocking
        // compared: the part of blocking's loss that costs links.
        let linkable = trueDiagnoses.filter(\.isLink)
        let linkableCompared = linkable.filter(\.compared).count
        print(
            "true pairs that would link if compared \(linkable.count), compared by blocking \(linkableCompared)"
                + " (\(Double(linkableCompared) / Double(max(linkable.count, 1))))")
        // True pairs with no agreement beyond name and sex: no ID number, birth date, phone or
        // address that agrees even in part. Only a key on the name alone can bring them together.
        let nameOnly = trueDiagnoses.filter { diagnosis in
            [MatchField.idNumber, .birthDate, .phone, .address].allSatisfy { (diagnosis.levels[$0] ?? 0) == 0 }
        }
        print(
            "true pairs that agree on nothing but name and sex \(nameOnly.count)"
                + " (\(Double(nameOnly.count) / Double(max(truePairs.count, 1)))),"
                + " compared by blocking \(nameOnly.filter(\.compared).count)")
        var reasons: [String: Int] = [:]
        var missedPatterns: [String: Int] = [:]
        var unblockedPatterns: [String: Int] = [:]
        let threshold = pipeline.resolve.thresholdWeight
        for (pair, diagnosis) in zip(truePairs, trueDiagnoses) where !diagnosis.sameResident {
            let reason =
                !diagnosis.compared
                ? "not compared (blocking)"
                : diagnosis.differentValidIDs
                    ? "two valid ID numbers"
                    : !diagnosis.hasEvidenceOfIdentity
                        ? "no evidence of identity"
                        : diagnosis.weight < threshold ? "weight below the threshold" : "kept apart in clustering"
            reasons[reason, default: 0] += 1
            do {
                let dirt = Set((facts[pair.0]?.dirt ?? []) + (facts[pair.1]?.dirt ?? [])).sorted().joined(
                    separator: "+")
                let text = "\(pattern(diagnosis)) [\(dirt)]"
                missedPatterns[(diagnosis.compared ? "" : "not compared: ") + text, default: 0] += 1
                if !diagnosis.compared { unblockedPatterns[text, default: 0] += 1 }
            }
        }
        print(
            "missed pairs by reason: "
                + reasons.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        print("most frequent missed comparisons (levels, weight, dirt):")
        for (text, count) in missedPatterns.sorted(by: { $0.value > $1.value }).prefix(30) {
            print("  \(count)× \(text)")
        }
        print("most frequent missed pairs that blocking did not compare (levels, weight, dirt):")
        for (text, count) in unblockedPatterns.sorted(by: { $0.value > $1.value }).prefix(15) {
            print("  \(count)× \(text)")
        }
        var joined: [String: Int] = [:]
        for (pair, diagnosis) in zip(falsePairs, diagnoses.suffix(falsePairs.count)) {
            let relation = facts[pair.0].flatMap { a in facts[pair.1].map { a.relation(to: $0) } } ?? "unknown"
            joined[
                "\(relation): \(pattern(diagnosis))\(diagnosis.compared ? "" : " (not compared: joined through others)")",
                default: 0] += 1
        }
        print("most frequent false links (relation, levels, weight):")
        for (text, count) in joined.sorted(by: { $0.value > $1.value }).prefix(15) { print("  \(count)× \(text)") }
    }

    /// `id=2 name=4 birth=3 sex=1 phone=- address=0 w=12`: levels (`-` missing) and weight.
    private static func pattern(_ diagnosis: PairDiagnosis) -> String {
        let names: [(MatchField, String)] = [
            (.idNumber, "id"), (.name, "name"), (.birthDate, "birth"), (.sex, "sex"), (.phone, "phone"),
            (.address, "address"),
        ]
        let levels = names.map { "\($1)=\(diagnosis.levels[$0].map(String.init) ?? "-")" }.joined(separator: " ")
        return levels + " w=\(Int(diagnosis.weight.rounded()))"
    }
}
