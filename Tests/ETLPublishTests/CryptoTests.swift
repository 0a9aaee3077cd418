import ETLCore
import Foundation
import Testing

@testable import ETLPublish

/// Known-answer tests from the RFCs: the primitives are OpenSSL's, these check that etl calls
/// them right.
@Suite struct CryptoTests {
    private func bytes(_ hex: String) -> [UInt8] {
        MasterKey.decode(Array(hex.utf8))
    }

    @Test func hmacSHA256MatchesRFC4231() throws {
        let cases: [(key: [UInt8], data: String, mac: String)] = [
            (
                Array(repeating: 0x0b, count: 20), "Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                Array("Jefe".utf8), "what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                Array(repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
        ]
        for test in cases {
            #expect(Hex.encode(try Crypto.hmacSHA256(key: test.key, message: Array(test.data.utf8))) == test.mac)
            // The reused context gives the same MAC, message after message.
            let reused = try HMACSHA256(key: test.key)
            var output = [UInt8](repeating: 0, count: 64)
            for _ in 0..<3 {
                try reused.authenticate(Array(test.data.utf8), into: &output)
                #expect(Hex.encode(output[0..<32]) == test.mac)
            }
        }
    }

    @Test func hkdfSHA256MatchesRFC5869() throws {
        let first = try Crypto.hkdfSHA256(
            key: Array(repeating: 0x0b, count: 22), salt: bytes("000102030405060708090a0b0c"),
            info: bytes("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(
            Hex.encode(first)
                == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        let third = try Crypto.hkdfSHA256(key: Array(repeating: 0x0b, count: 22), salt: [], info: [], length: 42)
        #expect(
            Hex.encode(third)
                == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    @Test func randomBytesDiffer() throws {
        #expect(try Crypto.randomBytes(32) != Crypto.randomBytes(32))
    }
}
