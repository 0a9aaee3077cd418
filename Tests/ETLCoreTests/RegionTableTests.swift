import ETLCore
import Testing

@Suite struct RegionTableTests {
    @Test func readsTheHierarchyOfACode() {
        let chain = RegionTable.shared.hierarchy(of: "510107").map(\.name)
        #expect(chain == ["四川省", "成都市", "武侯区"])
        #expect(RegionTable.shared.hierarchy(of: "110101").map(\.name) == ["北京市", "东城区"])
    }

    @Test func knowsAbolishedCodes() {
        let old = RegionTable.shared.region("510124")
        #expect(old?.name == "郫县")
        #expect(old?.isCurrent == false)
        #expect(RegionTable.shared.region("510117")?.isCurrent == true)
    }

    @Test func unknownOrMalformedCodesHaveNoRegion() {
        #expect(RegionTable.shared.hierarchy(of: "999999").isEmpty)
        #expect(RegionTable.shared.hierarchy(of: "5101").isEmpty)
        #expect(RegionTable.shared.hierarchy(of: "51010x").isEmpty)
    }

    @Test func coversEveryProvince() {
        let provinces = [
            "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
            "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81",
            "82",
        ]
        for code in provinces {
            #expect(RegionTable.shared.region(code + "0000") != nil, "province \(code)")
        }
    }
}
