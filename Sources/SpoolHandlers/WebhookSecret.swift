import Crypto
import Foundation

/// A Standard Webhooks signing secret: `whsec_` followed by the base64 of the key bytes.
///
/// The HMAC key is the decoded bytes, not the text. `description` never shows the key.
public struct WebhookSecret: Sendable, Hashable, CustomStringConvertible {
    /// The text prefix of an encoded secret.
    public static let prefix = "whsec_"

    let key: [UInt8]

    /// Parses `whsec_<base64>` or bare `<base64>` (surrounding whitespace ignored, padding optional).
    /// Throws if the prefix is another one, the base64 is malformed, or the key is empty.
    public init(_ text: String) throws(WebhookSecretError) {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw .empty }
        if body.hasPrefix(Self.prefix) {
            body.removeFirst(Self.prefix.count)
        } else if let underscore = body.firstIndex(of: "_") {
            // Standard base64 has no "_", so this is another prefix (whsk_, sk_, …).
            throw .wrongPrefix(found: String(body[...underscore].prefix(12)))
        }
        let padded = body + String(repeating: "=", count: (4 - body.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) else { throw .invalidBase64 }
        guard !data.isEmpty else { throw .empty }
        key = Array(data)
    }

    /// A secret from raw key bytes; throws if there are none.
    public init(keyBytes: [UInt8]) throws(WebhookSecretError) {
        guard !keyBytes.isEmpty else { throw .empty }
        key = keyBytes
    }

    /// A fresh random secret of `byteCount` bytes (32 by default) from the system's secure generator.
    public static func generate(byteCount: Int = 32) -> WebhookSecret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<max(1, byteCount)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return WebhookSecret(validKey: bytes)
    }

    private init(validKey: [UInt8]) {
        key = validKey
    }

    /// The secret as text, `whsec_<base64>`, for configuration files and for the receiving service.
    public var encoded: String { Self.prefix + Data(key).base64EncodedString() }

    /// The number of key bytes.
    public var keyLength: Int { key.count }

    /// `whsec_… (redacted, 32 bytes)`: never the key.
    public var description: String { "\(Self.prefix)… (redacted, \(key.count) bytes)" }

    /// HMAC-SHA256(key, message), the raw 32 bytes.
    func sign(_ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}

/// A webhook secret could not be read. The messages never repeat the secret.
public enum WebhookSecretError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text (or the key it decodes to) is empty.
    case empty
    /// The text starts with a prefix other than `whsec_`.
    case wrongPrefix(found: String)
    /// The part after `whsec_` is not valid base64.
    case invalidBase64

    /// A one-line message for people.

    /// A one-line message for people: what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .empty:
            return "the webhook secret is empty — set it to whsec_ followed by the base64 of 24–64 random bytes"
        case .wrongPrefix(let found):
            return "the webhook secret starts with \"\(found)\", not \"whsec_\" — copy the Standard Webhooks signing secret (whsec_…), not another key"
        case .invalidBase64:
            return "the webhook secret after \"whsec_\" is not valid base64 — copy it again whole, without line breaks or quotes"
        }
    }
}

extension SecretReference {
    /// Reads the reference and parses it as a Standard Webhooks secret for endpoint `endpoint`; throws
    /// `WebhookConfigurationError.secretUnavailable` naming the endpoint, the reference and the fix, never the secret.
    public func webhookSecret(endpoint: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(WebhookConfigurationError) -> WebhookSecret
    {
        let text: String
        do {
            text = try resolve(environment: environment)
        } catch {
            throw .secretUnavailable(endpoint: endpoint, reference: description, problem: error.reason)
        }
        do {
            return try WebhookSecret(text)
        } catch {
            throw .secretUnavailable(endpoint: endpoint, reference: description, problem: error.description)
        }
    }
}
