import ETLCore

/// Keyed pseudonyms: HMAC-SHA-256 under a key derived for one recipient, field and key
/// version, truncated to 128 bits, in hex after a version prefix (`p1.` and 32 digits).
/// The same value gets the same token in every snapshot (and every dataset) for that
/// recipient and field, so a recipient can join its own datasets; two recipients' tokens for the same value share nothing, so their datasets cannot be joined.
/// Callers pass a canonical value (the standardised ID number or the resident ID), so that
/// two spellings of one number give one token.
public final class Pseudonymiser: @unchecked Sendable {
    // One HMAC context, reused for every token: use a pseudonymiser from one thread at a time.
    private let mac: HMACSHA256
    private var output = [UInt8](repeating: 0, count: 64)
    /// The token format's version, written before each token.
    public static let prefix = "p1."

    /// A pseudonymiser for `recipient`'s `field` (the source field, such as `residentId`) under
    /// key version `keyVersion`.
    public init(master: MasterKey, recipient: String, field: String, keyVersion: Int) throws(PublishError) {
        // Each part is length-prefixed, so that no two different labels run together alike.
        var label = Array("etl pseudonym v1".utf8)
        for part in [recipient, field, String(keyVersion)] {
            let bytes = Array(part.utf8)
            label += Array(String(bytes.count).utf8) + [0x3A] + bytes
        }
        mac = try HMACSHA256(key: try master.derive(label: label))
    }

    /// The token of `value`.
    public func token(_ value: String) throws(PublishError) -> String {
        var bytes: [UInt8] = []
        try append(token: Array(value.utf8), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Appends the token of the UTF-8 `value` to `bytes`.
    func append(token value: [UInt8], to bytes: inout [UInt8]) throws(PublishError) {
        try mac.authenticate(value, into: &output)
        bytes.append(contentsOf: [0x70, 0x31, 0x2E])  // "p1."
        for byte in output[0..<16] {
            bytes.append(Pseudonymiser.digits[Int(byte >> 4)])
            bytes.append(Pseudonymiser.digits[Int(byte & 0x0F)])
        }
    }
}
