import ETLNormalise
import Testing

@Suite struct PersonNameTests {
    private let standardiser = NameStandardiser()

    @Test(arguments: [
        ("张伟", "张伟", "zhangwei"),
        ("张 伟", "张伟", "zhangwei"),
        (" 张　伟 ", "张伟", "zhangwei"),  // an ideographic space
        ("章伟", "章伟", "zhangwei"),  // a homophone: another name, the same key
        ("阿依古丽·买买提", "阿依古丽·买买提", "ayiguli·maimaiti"),
        ("阿依古丽・买买提", "阿依古丽·买买提", "ayiguli·maimaiti"),
        ("阿依古丽•买买提", "阿依古丽·买买提", "ayiguli·maimaiti"),
        ("阿依古丽.买买提", "阿依古丽·买买提", "ayiguli·maimaiti"),
        ("王䶮", "王䶮", "wangyan"),
        ("陈𪚥", "陈𪚥", "chenzhe"),
    ])
    func standardisesChineseNames(text: String, standard: String, key: String) {
        let name = standardiser.standardise(text)
        #expect(name.original == text)
        #expect(name.isChinese)
        #expect(name.standard == standard)
        #expect(name.pinyinKey == key.replacingOccurrences(of: "·", with: ""))
    }

    @Test(arguments: [
        ("Anna  Maria   Lee", "Anna Maria Lee", "annamarialee"),
        (" José Pérez ", "José Pérez", "joseperez"),
        ("Ｌｉ Ｎａ", "Li Na", "lina"),
    ])
    func keepsLatinNamesInTheirOrder(text: String, standard: String, key: String) {
        let name = standardiser.standardise(text)
        #expect(!name.isChinese)
        #expect(name.standard == standard)
        #expect(name.pinyinKey == key)
    }

    @Test func differentNamesHaveDifferentKeys() {
        #expect(standardiser.standardise("张伟").pinyinKey != standardiser.standardise("张卫国").pinyinKey)
        #expect(standardiser.standardise("李娜").pinyinKey != standardiser.standardise("李明").pinyinKey)
    }
}
