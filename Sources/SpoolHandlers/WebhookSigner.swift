import Foundation

/// Signs outgoing webhooks the Standard Webhooks way (https://www.standardwebhooks.com).
///
/// The signed content is the bytes of `"<id>.<timestamp>."` followed by the body exactly as sent; each
/// signature is `v1,` + base64(HMAC-SHA256(key, content)).
public struct WebhookSigner: Sendable {
    /// A signer; it holds no state.
    public init() {}

    /// The three headers to send, in order: `webhook-id`, `webhook-timestamp` (Unix seconds) and
    /// `webhook-signature` with one space-separated `v1,<base64>` per secret (several during a rotation).
    /// With no secrets the signature header is left out.
    public func headers(id: String, timestamp: Int64, body: [UInt8], secrets: [WebhookSecret]) -> [(String, String)] {
        var headers: [(String, String)] = [("webhook-id", id), ("webhook-timestamp", String(timestamp))]
        let signatures = secrets.map { signature(id: id, timestamp: timestamp, body: body, secret: $0) }
        if !signatures.isEmpty {
            headers.append(("webhook-signature", signatures.joined(separator: " ")))
        }
        return headers
    }

    /// One `v1,<base64>` signature.
    public func signature(id: String, timestamp: Int64, body: [UInt8], secret: WebhookSecret) -> String {
        "v1," + Data(secret.sign(Self.signedContent(id: id, timestamp: String(timestamp), body: body))).base64EncodedString()
    }

    /// `"<id>.<timestamp>."` as UTF-8, then the body.
    static func signedContent(id: String, timestamp: String, body: [UInt8]) -> [UInt8] {
        Array("\(id).\(timestamp).".utf8) + body
    }
}
