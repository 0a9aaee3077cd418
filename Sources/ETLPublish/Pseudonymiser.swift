import ETLCore

/// Keyed pseudonyms: HMAC-SHA-256 under a key derived for one recipient, field and key
/// version, truncated to 128 bits, in hex after a version prefix (`p1.` and 32 digits).
/// The same value gets the same token in every snapshot (and every dataset) for that
/// recipient and field, so a recipient can join its own datasets; two recipients' tokens for the same value share nothing, so their datasets cannot be joined.
/// Callers pass a canonical value (the standardised ID number or the resident ID), so that
/// two spellings of one number give one token.
public struct Pseudonymiser: Sendable {
    private let key: [UInt8]
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
        key = try master.derive(label: label)
    }

    /// The token of `value`.
    public func token(_ value: String) throws(PublishError) -> String {
        let mac = try Crypto.hmacSHA256(key: key, message: Array(value.utf8))
        return Pseudonymiser.prefix + Hex.encode(mac[0..<16])
    }
}
