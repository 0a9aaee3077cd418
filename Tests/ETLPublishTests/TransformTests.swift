import ETLCore
import Testing

@testable import ETLPublish

@Suite struct TransformTests {
    private let context = HierarchyContext(topCodedYear: 1936, sources: ["a", "b", "c"])

    private func label(_ hierarchy: Hierarchy, _ raw: Int64, _ level: String) -> String? {
        hierarchy.label(raw, level: hierarchy.levels.firstIndex(of: level)!, context: context)
    }

    @Test func agesAreBandedAndTopCodedAt90() {
        #expect(label(.age, 37, "exact") == "37")
        #expect(label(.age, 37, "band5") == "35-39")
        #expect(label(.age, 37, "band10") == "30-39")
        #expect(label(.age, 37, "band20") == "20-39")
        #expect(label(.age, 88, "band20") == "80-89")
        for level in ["exact", "band5", "band10", "band20"] {
            #expect(label(.age, 90, level) == "90+")
            #expect(label(.age, 104, level) == "90+")
        }
        #expect(label(.age, 37, "any") == "*")
        #expect(label(.age, Hierarchy.missing, "band5") == nil)
        // Ages past 90 share one class at every level.
        let band = Hierarchy.age.levels.firstIndex(of: "band10")!
        #expect(
            Hierarchy.age.code(93, level: band, context: context)
                == Hierarchy.age.code(101, level: band, context: context))
    }

    @Test func datesBecomeMonthsYearsAndBands() {
        #expect(label(.date, 19_800_517, "month") == "1980-05")
        #expect(label(.date, 19_800_517, "year") == "1980")
        #expect(label(.date, 19_800_517, "band5") == "1980-1984")
        #expect(label(.date, 19_791_231, "band5") == "1975-1979")
        #expect(label(.year, 1935, "exact") == "<=1936")
        #expect(label(.year, 1980, "band10") == "1980-1989")
    }

    @Test func regionsNameTheirProvinceCityAndDistrict() {
        #expect(label(.region, 510_107, "district") == "四川省成都市武侯区")
        #expect(label(.region, 510_107, "city") == "四川省成都市")
        #expect(label(.region, 510_107, "province") == "四川省")
        #expect(label(.region, 110_101, "district") == "北京市东城区")
        #expect(label(.region, 110_101, "any") == "*")
    }

    @Test func numbersBecomeRanges() {
        #expect(label(.number, 3, "range1") == "3")
        #expect(label(.number, 3, "range5") == "0-4")
        #expect(label(.number, 27, "range10") == "20-29")
        #expect(label(.number, -3, "range5") == "-5--1")
    }

    @Test func departmentsBecomeACount() {
        #expect(label(.departments, 0b101, "list") == "a|c")
        #expect(label(.departments, 0b101, "count") == "2")
        #expect(label(.sex, 0x32, "code") == "2")
    }

    @Test func masksShowOnlyWhatADisplayNeeds() {
        #expect(Masking.mask("110101199003071234", .golden(.idNumber)) == "110101********1234")
        #expect(Masking.mask("13812345678", .golden(.phone)) == "138****5678")
        #expect(Masking.mask("张伟", .golden(.name)) == "张*")
        #expect(Masking.mask("欧阳娜娜", .golden(.name)) == "欧*")
        #expect(Masking.mask("12345", .golden(.phone)) == "*****")
    }
}
