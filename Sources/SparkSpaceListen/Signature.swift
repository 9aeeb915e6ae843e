import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SparkSpace

/// Webhook delivery signatures: Webex signs each delivery of a webhook that has a
/// `secret` with the header `X-Spark-Signature`, the lowercase hex HMAC-SHA1 of
/// the raw request body keyed with the secret.
public enum WebhookSignature {
    /// The header that carries the signature.
    public static let header = "X-Spark-Signature"

    /// The lowercase hex HMAC-SHA1 of `body` keyed with `secret`.
    public static func sign<Body: Sequence>(_ body: Body, secret: String) -> String where Body.Element == UInt8 {
        var hmac = HMAC<Insecure.SHA1>(key: SymmetricKey(data: Array(secret.utf8)))
        hmac.update(data: Array(body))
        return hex(Array(hmac.finalize()))
    }

    /// True when `signature` (hex, either case, surrounding spaces ignored) is the
    /// signature of `body`. The comparison takes the same time wherever the first
    /// difference is, so a forger learns nothing from timing.
    public static func verify<Body: Sequence>(_ body: Body, secret: String, signature: String?) -> Bool
    where Body.Element == UInt8 {
        guard let signature else { return false }
        let expected = Array(sign(body, secret: secret).utf8)
        let given = Array(signature.trimmingSpaces().lowercased().utf8)
        return constantTimeEquals(expected, given)
    }

    /// Compares two byte strings in time that depends only on their lengths.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
