import CCrypto

/// HMAC-SHA-256 and HKDF-SHA-256 through OpenSSL's libcrypto. etl writes no cryptography of
/// its own.
public enum Crypto {
    /// HMAC-SHA-256 of `message` under `key` (RFC 2104, FIPS 198-1): 32 bytes.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) throws(PublishError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBufferPointer { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                HMAC(
                    EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count), messageBytes.baseAddress,
                    messageBytes.count, &output, &length)
            }
        }
        guard result != nil, length == 32 else { throw .crypto(step: "HMAC") }
        return Array(output[0..<32])
    }

    /// HKDF-SHA-256 (RFC 5869): `length` bytes derived from `key` with `salt` and `info`.
    public static func hkdfSHA256(
        key: [UInt8], salt: [UInt8], info: [UInt8], length: Int
    ) throws(PublishError)
        -> [UInt8]
    {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nil) else { throw .crypto(step: "HKDF context") }
        defer { EVP_PKEY_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: length)
        var outputLength = length
        let ok =
            EVP_PKEY_derive_init(context) > 0 && EVP_PKEY_CTX_set_hkdf_md(context, EVP_sha256()) > 0
            && salt.withUnsafeBufferPointer { EVP_PKEY_CTX_set1_hkdf_salt(context, $0.baseAddress, Int32($0.count)) }
                > 0
            && key.withUnsafeBufferPointer { EVP_PKEY_CTX_set1_hkdf_key(context, $0.baseAddress, Int32($0.count)) } > 0
            && info.withUnsafeBufferPointer { EVP_PKEY_CTX_add1_hkdf_info(context, $0.baseAddress, Int32($0.count)) }
                > 0
            && EVP_PKEY_derive(context, &output, &outputLength) > 0
        guard ok, outputLength == length else { throw .crypto(step: "HKDF") }
        return output
    }

    /// `count` bytes from OpenSSL's cryptographically secure generator.
    public static func randomBytes(_ count: Int) throws(PublishError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw .crypto(step: "RAND_bytes") }
        return bytes
    }
}

/// HMAC-SHA-256 under one key, for many messages: OpenSSL's EVP_MAC context is set up with
/// the key once and reused, which is several times quicker than a one-shot HMAC per message.
/// Owns its context; use it from one thread at a time.
final class HMACSHA256 {
    private let mac: OpaquePointer
    private let context: OpaquePointer

    init(key: [UInt8]) throws(PublishError) {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { throw .crypto(step: "EVP_MAC_fetch") }
        guard let context = EVP_MAC_CTX_new(mac) else {
            EVP_MAC_free(mac)
            throw .crypto(step: "EVP_MAC_CTX_new")
        }
        self.mac = mac
        self.context = context
        var digest = Array("SHA256".utf8CString)
        let ok = digest.withUnsafeMutableBufferPointer { name in
            var parameters = [
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name.baseAddress, 0),
                OSSL_PARAM_construct_end(),
            ]
            return key.withUnsafeBufferPointer { keyBytes in
                EVP_MAC_init(context, keyBytes.baseAddress, keyBytes.count, &parameters) == 1
            }
        }
        guard ok else { throw .crypto(step: "EVP_MAC_init") }
    }

    deinit {
        EVP_MAC_CTX_free(context)
        EVP_MAC_free(mac)
    }

    /// The 32-byte MAC of `message`, written to the start of `output` (64 bytes).
    func authenticate(_ message: [UInt8], into output: inout [UInt8]) throws(PublishError) {
        var length = 0
        // A nil key starts a new message under the key already set.
        let ok = message.withUnsafeBufferPointer { bytes in
            EVP_MAC_init(context, nil, 0, nil) == 1 && EVP_MAC_update(context, bytes.baseAddress, bytes.count) == 1
                && EVP_MAC_final(context, &output, &length, output.count) == 1
        }
        guard ok, length == 32 else { throw .crypto(step: "HMAC") }
    }
}
