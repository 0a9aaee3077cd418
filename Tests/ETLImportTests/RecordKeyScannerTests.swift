import Testing

@testable import ETLImport

/// Finding a rejected record's key in its raw text: only a plain value the reader would have
/// taken as the key counts (a member of the record object, a child of the record element).
@Suite struct RecordKeyScannerTests {
    @Test(
        arguments: [
            (#"{"id": "K1", "name": "x"#, "K1"),
            (#"{"id":42,"name":}"#, "42"),
            (#"{"name": "x", "id" :  "K-7.b"  , oops}"#, "K-7.b"),
            (#"{"id": " K1"}"#, " K1"),
            (#"{"id": "K\"1"}"#, nil),
            (#"{"id": "K1", "id": "K2"}"#, nil),
            (#"{"name": "x", "household": {"id": "K3""#, nil),
            (#"{"household": {"id": "K3"}, "id": "K1" "x"}"#, "K1"),
            (#"{"note": "the \"id\": 5", "id": "K1"}"#, "K1"),
            (#"{"name": "id", "id": "K1"}"#, "K1"),
            (#"{"id": ""}"#, nil),
            (#"{"id": "K1"#, nil),
            (#"{"identifier": "K1"}"#, nil),
            (#"{"id": null}"#, nil),
        ] as [(String, String?)])
    func json(text: String, key: String?) {
        #expect(RecordKeyScanner.json("id", in: text) == key, "\(text)")
    }

    @Test(
        arguments: [
            ("<p><id>K1</id><name>a<b</name></p>", "K1"),
            ("<p>\n  <id> K1 </id><name>x</nme></p>", " K1 "),
            ("<p><id>K&amp;1</id></p>", nil),
            ("<p><id>K1</id><id>K2</id></p>", nil),
            ("<p><family><id>K3</id></family><name>x</nme></p>", nil),
            ("<p><family><id>K3</id></family><id>K1</id><name>x</nme></p>", "K1"),
            ("<p><!-- <id>K9</id> --><br/><id>K1</id><x></p>", "K1"),
            ("<p><id>K1", nil),
            ("<p><id>K\u{FFFD}1</id></p>", nil),
        ] as [(String, String?)])
    func xml(text: String, key: String?) {
        #expect(RecordKeyScanner.xml("id", in: text) == key, "\(text)")
    }
}
