#if canImport(Glibc)
    import Glibc
#endif

/// Writes labelled synthetic exports of the three departments, and the truth beside them:
///
/// - `social_security_synth.csv`: UTF-8 with a BOM, CRLF, the 人社 columns;
/// - `health_insurance_synth.xml`: the 医保 `<person>` elements;
/// - `civil_affairs_synth.jsonl`: 民政 JSON Lines;
/// - `truth.csv`: `source,record_key,person,household,twin,namesake,dirt` per record.
///
/// Streams: memory stays small for any number of people.
public struct SynthWriter {
    public var profile: SynthProfile
    public var seed: UInt64

    public init(profile: SynthProfile, seed: UInt64 = 1) {
        self.profile = profile
        self.seed = seed
    }

    /// What was written.
    public struct Counts: Sendable {
        public var people = 0
        public var records = 0
        public var perSource: [String: Int] = [:]
    }

    /// Writes exports for `people` persons into `folder`, which must exist.
    public func write(people: Int, to folder: String) throws -> Counts {
        var builder = PopulationBuilder(profile: profile, seed: seed)
        let persons = builder.build(people: people)
        var random = SynthRandom(seed: seed &* 31 &+ 7)
        let maker = RecordMaker(profile: profile)
        let csv = try OutputFile(folder + "/social_security_synth.csv")
        let xml = try OutputFile(folder + "/health_insurance_synth.xml")
        let jsonl = try OutputFile(folder + "/civil_affairs_synth.jsonl")
        let truth = try OutputFile(folder + "/truth.csv")
        csv.write("\u{FEFF}个人编号,姓名,性别,出生日期,公民身份号码,联系电话,户籍地址,参保状态,参保日期,单位名称\r\n")
        xml.write(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<insuredPersons exportedAt=\"2026-11-26T23:00:00+08:00\" region=\"510107\">\n"
        )
        truth.write("source,record_key,person,household,twin,namesake,dirt\n")
        var counts = Counts()
        counts.people = persons.count
        var keys = (csv: 0, xml: 0, json: 0)
        for person in persons {
            var sources: [Int] = []
            if random.chance(0.7) { sources.append(0) }
            if random.chance(0.8) { sources.append(1) }
            if random.chance(0.3) { sources.append(2) }
            if sources.isEmpty { sources.append(random.int(0...2)) }
            for source in sources {
                let copies = random.chance(profile.duplicateInSource) ? 2 : 1
                for _ in 0..<copies {
                    let record = maker.record(of: person, random: &random)
                    let key: String
                    let name: String
                    switch source {
                    case 0:
                        keys.csv += 1
                        key = "SB" + Pools.digits(keys.csv, 8)
                        name = "social_security"
                        writeCSV(record, key: key, to: csv, random: &random)
                    case 1:
                        keys.xml += 1
                        key = "YB510107" + Pools.digits(keys.xml, 8)
                        name = "health_insurance"
                        writeXML(record, key: key, to: xml)
                    default:
                        keys.json += 1
                        key = "MZ-2026-" + Pools.digits(keys.json, 7)
                        name = "civil_affairs"
                        writeJSON(record, key: key, person: person, to: jsonl)
                    }
                    counts.records += 1
                    counts.perSource[name, default: 0] += 1
                    truth.write(
                        "\(name),\(key),\(person.index),\(person.household),\(person.twinGroup.map(String.init) ?? ""),"
                            + "\(person.namesakeGroup.map(String.init) ?? ""),\(record.dirt.joined(separator: ";"))\n")
                }
            }
        }
        xml.write("</insuredPersons>\n")
        for file in [csv, xml, jsonl, truth] { try file.close() }
        return counts
    }

    private func writeCSV(_ record: SynthRecord, key: String, to file: OutputFile, random: inout SynthRandom) {
        let birth = record.birth.map { birth in
            random.chance(0.5)
                ? "\(birth.year)-\(Pools.digits(birth.month, 2))-\(Pools.digits(birth.day, 2))"
                : "\(birth.year)/\(birth.month)/\(birth.day)"
        }
        let fields = [
            key, record.name, record.sex == 1 ? "男" : "女", birth ?? "", record.idNumber ?? "", record.phone ?? "",
            record.address ?? "", "正常参保", "2015-07-01", "蓉城科技有限公司",
        ]
        file.write(fields.map(SynthWriter.csvField).joined(separator: ",") + "\r\n")
    }

    private func writeXML(_ record: SynthRecord, key: String, to file: OutputFile) {
        var text =
            "  <person>\n    <insuredId>\(key)</insuredId>\n    <name>\(SynthWriter.xmlText(record.name))</name>\n"
        text += "    <certType>01</certType>\n"
        if let id = record.idNumber { text += "    <certNo>\(SynthWriter.xmlText(id))</certNo>\n" }
        text += "    <sex>\(record.sex)</sex>\n"
        if let birth = record.birth {
            text +=
                "    <birthDate>\(birth.year)\(Pools.digits(birth.month, 2))\(Pools.digits(birth.day, 2))</birthDate>\n"
        }
        text += record.phone.map { "    <mobile>\(SynthWriter.xmlText($0))</mobile>\n" } ?? "    <mobile/>\n"
        if let address = record.address { text += "    <residence>\(SynthWriter.xmlText(address))</residence>\n" }
        text += "    <scheme>职工基本医疗保险</scheme>\n  </person>\n"
        file.write(text)
    }

    private func writeJSON(_ record: SynthRecord, key: String, person: Person, to file: OutputFile) {
        func value(_ text: String?) -> String { text.map(SynthWriter.jsonString) ?? "null" }
        let birth = record.birth.map { "\($0.year)-\(Pools.digits($0.month, 2))-\(Pools.digits($0.day, 2))" }
        file.write(
            "{\"caseNo\": \(value(key)), \"name\": \(value(record.name)), \"idNumber\": \(value(record.idNumber)), "
                + "\"gender\": \(value(record.sex == 1 ? "M" : "F")), \"birthDate\": \(value(birth)), "
                + "\"mobile\": \(value(record.phone)), \"address\": \(value(record.address)), "
                + "\"assistanceType\": \"最低生活保障\", \"householdSize\": \(person.household % 5 + 1)}\n")
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    static func xmlText(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func jsonString(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}

/// A file written through a buffer.
final class OutputFile {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String
    private var buffer: [UInt8] = []

    init(_ path: String) throws {
        guard let file = fopen(path, "w") else { throw SynthError.cannotWrite(path) }
        self.file = file
        self.path = path
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        fclose(file)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    private func flush() {
        _ = buffer.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        guard fflush(file) == 0 else { throw SynthError.cannotWrite(path) }
    }
}

/// Why generating or scoring failed.
public enum SynthError: Error, CustomStringConvertible {
    case cannotWrite(String)
    case cannotRead(String)
    case badLine(file: String, line: Int)

    public var description: String {
        switch self {
        case .cannotWrite(let path): "cannot write \(path)"
        case .cannotRead(let path): "cannot read \(path)"
        case .badLine(let file, let line): "\(file):\(line): not the expected CSV row"
        }
    }
}
