import Testing

@testable import ETLImport

/// Finding a rejected record's key in its raw text: only a plain, unambiguous value counts.
@Suite struct RecordKeyScannerTests {
    @Test(
        arguments: [
            (#"{"id": "K1", "name": "x"#, "K1"),
            (#"{"id":42,"name":}"#, "42"),
            (#"{"name": "x", "id" :  "K-7.b"  , oops}"#, "K-7.b"),
            (#"{"id": "K\"1"}"#, nil),
            (#"{"id": "K1", "child": {"id": "K2"}}"#, nil),
            (#"{"id": ""}"#, nil),
            (#"{"id": "K1"#, nil),
            (#"{"identifier": "K1"}"#, nil),
            (#"{"id": null}"#, nil),
        ] as [(String, String?)])
    func json(text: String, key: String?) {
        #expect(RecordKeyScanner.json("id", in: text) == key)
    }

    @Test(
        arguments: [
            ("<p><id>K1</id><name>a<b</name></p>", "K1"),
            ("<p><id> K1 </id><name>x</nme></p>", "K1"),
            ("<p><id>K&amp;1</id></p>", nil),
            ("<p><id>K1</id><id>K2</id></p>", nil),
            ("<p><id>K1", nil),
            ("<p><id>K\u{FFFD}1</id></p>", nil),
        ] as [(String, String?)])
    func xmlElement(text: String, key: String?) {
        #expect(RecordKeyScanner.xml("id", in: text) == key)
    }

    @Test func xmlAttribute() {
        #expect(RecordKeyScanner.xml("@no", in: #"<p no="K9" name=x>"#) == "K9")
        #expect(RecordKeyScanner.xml("@no", in: #"<p name="x">"#) == nil)
    }
}
