/// The GB/T 2260 administrative divisions: six-digit region codes and their names, current and
/// abolished, for reading addresses and the region of an ID number. Built once from
/// `RegionTable.data`; immutable and shared.
public final class RegionTable: Sendable {
    /// One division.
    public struct Region: Sendable, Equatable {
        /// The six-digit code: XX0000 a province, XXYY00 a prefecture, XXYYZZ a county or district.
        public var code: String
        /// The name in use today, or the last name it had when it was abolished.
        public var name: String
        /// Whether the code is still in use.
        public var isCurrent: Bool
    }

    /// The table built from the data shipped with etl.
    public static let shared = RegionTable(data: RegionTable.data)

    /// Per code, its region.
    private let regions: [String: Region]
    /// Per name (UTF-8 bytes), the codes that carry it, current ones first.
    package let codesByName: [[UInt8]: [String]]
    /// The longest name, in bytes.
    package let longestName: Int

    package init(data: String) {
        var regions: [String: Region] = [:]
        var codesByName: [[UInt8]: [String]] = [:]
        var longest = 0
        for line in data.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let code = String(fields[0])
            let name = String(fields[1])
            let isCurrent = fields[2] == "1"
            // Skip placeholders that name no place.
            if name == "市辖区" || name == "县" || name == "省直辖县级行政区划" || name == "自治区直辖县级行政区划" {
                continue
            }
            if regions[code] == nil || (isCurrent && regions[code]?.isCurrent == false) {
                regions[code] = Region(code: code, name: name, isCurrent: isCurrent)
            }
            let key = Array(name.utf8)
            if isCurrent {
                codesByName[key, default: []].insert(code, at: 0)
            } else {
                codesByName[key, default: []].append(code)
            }
            longest = max(longest, key.count)
        }
        self.regions = regions
        self.codesByName = codesByName
        longestName = longest
    }

    /// The region with `code`, or `nil` when the code is not a division.
    public func region(_ code: String) -> Region? {
        regions[code]
    }

    /// The province, prefecture and county that `code` names, as far as the table knows them:
    /// `510107` is 四川省, 成都市, 武侯区.
    public func hierarchy(of code: String) -> [Region] {
        let bytes = Array(code.utf8)
        guard bytes.count == 6, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return [] }
        let province = String(decoding: bytes[0..<2], as: UTF8.self) + "0000"
        let prefecture = String(decoding: bytes[0..<4], as: UTF8.self) + "00"
        var chain: [Region] = []
        for candidate in [province, prefecture, code] where chain.last?.code != candidate {
            if let region = regions[candidate] { chain.append(region) }
        }
        return chain
    }

    /// The level of a code: 0 province, 1 prefecture, 2 county or district.
    public static func level(of code: String) -> Int {
        let bytes = Array(code.utf8)
        if bytes[2] == 0x30 && bytes[3] == 0x30 && bytes[4] == 0x30 && bytes[5] == 0x30 { return 0 }
        if bytes[4] == 0x30 && bytes[5] == 0x30 { return 1 }
        return 2
    }
}
