import ETLCore
import Testing

@Suite struct DatePatternTests {
    @Test(arguments: [
        ("yyyy-MM-dd", "1985-03-12", "1985-03-12"),
        ("yyyy/M/d", "1985/3/12", "1985-03-12"),
        ("yyyy/M/d", "1985/03/02", "1985-03-02"),
        ("yyyyMMdd", "19850312", "1985-03-12"),
        ("yyyy年M月d日", "1985年3月12日", "1985-03-12"),
        ("yyyy-MM-dd", "2000-02-29", "2000-02-29"),
    ])
    func parsesMatchingDates(pattern: String, text: String, iso: String) throws {
        let compiled = try #require(DatePattern(pattern))
        #expect(compiled.isoDate(from: text) == iso)
    }

    @Test(arguments: [
        ("yyyy-MM-dd", "1985-3-12"),
        ("yyyy-MM-dd", "1985-02-30"),
        ("yyyy-MM-dd", "1900-02-29"),
        ("yyyy-MM-dd", "1985-13-01"),
        ("yyyy-MM-dd", "1985-03-12 "),
        ("yyyyMMdd", "1985031"),
        ("yyyy/M/d", "1985/123/1"),
    ])
    func refusesOtherText(pattern: String, text: String) throws {
        let compiled = try #require(DatePattern(pattern))
        #expect(compiled.isoDate(from: text) == nil)
    }

    @Test(arguments: ["yyyy-MM", "dd/MM/yy", "yyyyMd", "yyyy-MM-dd-dd"])
    func refusesUnusablePatterns(pattern: String) {
        #expect(DatePattern(pattern) == nil)
        #expect(DatePattern.problem(in: pattern) != nil)
    }
}
