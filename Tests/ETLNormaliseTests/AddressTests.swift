import ETLNormalise
import Testing

@Suite struct AddressTests {
    let standardiser = AddressStandardiser()

    private func parts(_ text: String) -> [String?] {
        let address = standardiser.standardise(text)
        return [address.province, address.city, address.district, address.street, address.rest, address.regionCode]
    }

    @Test func aFullAddressSplitsIntoEveryLevel() {
        #expect(
            parts("四川省成都市成华区青龙街道一品中路78号2栋") == [
                "四川省", "成都市", "成华区", "青龙街道", "一品中路78号2栋", "510108",
            ])
    }

    @Test func missingHigherLevelsAreFilledFromTheLowerOnes() {
        #expect(parts("成都市武侯区玉林街道芳草街12号") == ["四川省", "成都市", "武侯区", "玉林街道", "芳草街12号", "510107"])
        #expect(parts("武侯区玉林街道芳草街12号")[0...2] == ["四川省", "成都市", "武侯区"])
    }

    @Test func municipalitiesHaveNoPrefecture() {
        #expect(parts("北京市朝阳区建国路1号") == ["北京市", nil, "朝阳区", nil, "建国路1号", "110105"])
    }

    @Test func aNameSharedByTwoPlacesIsNotGuessedWithoutItsProvince() {
        // 朝阳区 is in Beijing and in Changchun.
        #expect(parts("朝阳区建国路1号")[0...2] == [nil, nil, nil])
        #expect(parts("吉林省长春市朝阳区人民大街1号")[5] == "220104")
    }

    @Test func shortNamesCountOnlyWhereTheyCannotBeARoad() {
        #expect(parts("四川成都武侯区芳草街12号")[0...2] == ["四川省", "成都市", "武侯区"])
        #expect(parts("中山路12号") == [nil, nil, nil, nil, "中山路12号", nil])
        #expect(parts("江西路3号")[0] == nil)
    }

    @Test func spacesAndFullWidthCharactersAreNormalised() {
        let address = standardiser.standardise(" 四川省　成都市 锦江区 春熙路街道 红星路三段８号 ")
        #expect(address.standard == "四川省成都市锦江区春熙路街道红星路三段8号")
        #expect(address.district == "锦江区")
        #expect(address.rest == "红星路三段8号")
        #expect(address.original == " 四川省　成都市 锦江区 春熙路街道 红星路三段８号 ")
        #expect(standardiser.standardise("Room 2 Block B").standard == "Room 2 Block B")
    }

    @Test func anAbolishedNameStillFindsItsPlace() {
        // 郫县 became 郫都区 in 2016; older records still say 郫县.
        #expect(parts("成都市郫县犀浦镇")[2...5] == ["郫县", "犀浦镇", "", "510124"])
        #expect(parts("成都市郫都区犀浦镇")[5] == "510117")
    }

    @Test func textThatIsNotAnAddressIsKeptAsRest() {
        for text in ["", "未知", "12345", "🏠"] {
            let address = standardiser.standardise(text)
            #expect(address.regionCode == nil)
            #expect(address.rest == address.standard)
        }
    }
}
