import ETLCore
import Testing

@Suite struct JSONScannerTests {
    private func parse(_ text: String) throws -> JSONNode {
        var text = text
        return try text.withUTF8 { bytes throws -> JSONNode in
            var scanner = JSONScanner(bytes: bytes)
            let node = try scanner.parseValue()
            if scanner.peek() != nil { throw scanner.error("the end") }
            return node
        }
    }

    private func failure(_ text: String) -> JSONSyntaxError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error as? JSONSyntaxError
        }
    }

    @Test func parsesNestedValuesWithPositions() throws {
        let node = try parse("{\n  \"a\": [1, -2.5e3, true, null],\n  \"b\": {\"c\": \"x\"}\n}")
        #expect(node.members?.map(\.key) == ["a", "b"])
        #expect(node["a"]?.elements?.count == 4)
        #expect(node["a"]?.elements?[1].value == .number("-2.5e3"))
        #expect(node["b"]?["c"]?.stringValue == "x")
        let b = try #require(node.members?[1])
        #expect(b.keyPosition.line == 3)
        #expect(b.keyPosition.column == 3)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let node = try parse(#""a\"b\\c\/\n\t\u5f20\ud83d\ude00""#)
        #expect(node.stringValue == "a\"b\\c/\n\t张😀")
    }

    @Test(arguments: [
        ("{\"a\": 1,}", "a key in double quotes"),
        ("[1 2]", "',' or ']'"),
        ("\"abc", "closing '\"'"),
        ("01", "the end"),
        ("\"\\ud800\"", "low surrogate"),
        ("\"\\udc00\"", "lone low surrogate"),
        ("\"a\u{01}\"", "control character"),
        ("tru", "a value"),
    ])
    func rejectsInvalidJSON(text: String, expected: String) {
        let error = failure(text)
        #expect(error != nil)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test func unquotedTextWhereAValueShouldBeSaysItNeedsQuotes() {
        #expect(
            failure("{\"name\": 张三}")?.message
                == "expected a value, found text without quotes (starting with byte 0xE5); a text value must be in double quotes"
        )
        #expect(failure("[N/A]")?.message.contains("text without quotes (starting with 'N')") == true)
        #expect(failure("[-]")?.message.contains("without quotes") == false)
    }

    @Test func limitsNestingDepth() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(failure(deep)?.message.contains("nested deeper") == true)
    }

    @Test func flagsInvalidUTF8AsAnEncodingError() {
        var bytes: [UInt8] = Array("\"ab".utf8) + [0xFF] + Array("\"".utf8)
        let error = bytes.withUnsafeMutableBufferPointer { buffer -> JSONSyntaxError? in
            var scanner = JSONScanner(bytes: UnsafeBufferPointer(buffer))
            do throws(JSONSyntaxError) {
                _ = try scanner.readString()
                return nil
            } catch {
                return error
            }
        }
        #expect(error?.isEncodingError == true)
        #expect(error?.offset == 3)
    }

    @Test func writerEscapesWhatJSONRequires() {
        #expect(JSONWriter.string("a\"b\\\n\u{01}张") == #""a\"b\\\n\u0001张""#)
        #expect(JSONWriter.object([("k", "v"), ("n", nil)]) == #"{"k":"v","n":null}"#)
    }
}
