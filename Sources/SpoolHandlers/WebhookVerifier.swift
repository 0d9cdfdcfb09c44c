import Foundation

/// Checks incoming Standard Webhooks requests, for services that receive Spool's webhooks.
///
/// A request passes when its `webhook-timestamp` is within the tolerance of `now` and one of the
/// `v1,` signatures in `webhook-signature` matches one of the secrets (several during a rotation).
/// Signatures are compared in constant time.
public struct WebhookVerifier: Sendable {
    /// The secrets any of which may have signed the request.
    public let secrets: [WebhookSecret]

    /// A verifier accepting signatures made with any of `secrets`.
    public init(secrets: [WebhookSecret]) {
        self.secrets = secrets
    }

    /// A verifier for one secret.
    public init(secret: WebhookSecret) {
        self.init(secrets: [secret])
    }

    /// What a verified request said about itself.
    public struct Verified: Sendable, Hashable {
        /// The `webhook-id` (the same on every retry: use it to drop duplicates).
        public let id: String
        /// The `webhook-timestamp`, Unix seconds.
        public let timestamp: Int64
    }

    /// Verifies `body` (the raw bytes as received, before any parsing) against `headers`.
    /// Throws if a header is missing, the timestamp is malformed or further than `tolerance` from `now`,
    /// or no signature matches.
    @discardableResult
    public func verify(
        headers: HTTPHeaders,
        body: [UInt8],
        now: Date = Date(),
        tolerance: Duration = .seconds(300)
    ) throws(WebhookVerificationError) -> Verified {
        guard !secrets.isEmpty else { throw .noSecrets }
        guard let id = headers["webhook-id"] else { throw .missingHeader("webhook-id") }
        guard let timestampText = headers["webhook-timestamp"] else { throw .missingHeader("webhook-timestamp") }
        guard let signatureHeader = headers["webhook-signature"] else { throw .missingHeader("webhook-signature") }
        guard !timestampText.isEmpty, timestampText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let timestamp = Int64(timestampText)
        else { throw .invalidTimestamp(timestampText) }

        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let toleranceSeconds = tolerance.components.seconds
        if nowSeconds - timestamp > toleranceSeconds {
            throw .timestampTooOld(ageSeconds: nowSeconds - timestamp, toleranceSeconds: toleranceSeconds)
        }
        if timestamp - nowSeconds > toleranceSeconds {
            throw .timestampTooNew(aheadSeconds: timestamp - nowSeconds, toleranceSeconds: toleranceSeconds)
        }

        let offered: [[UInt8]] = signatureHeader.split(separator: " ").compactMap { entry in
            guard entry.hasPrefix("v1,") else { return nil }
            return Data(base64Encoded: String(entry.dropFirst(3))).map { Array($0) }
        }
        let content = WebhookSigner.signedContent(id: id, timestamp: timestampText, body: body)
        var matched = false
        for secret in secrets {
            let expected = secret.sign(content)
            for signature in offered where constantTimeEquals(signature, expected) {
                matched = true
            }
        }
        guard matched else { throw .noMatchingSignature(offered: offered.count, secrets: secrets.count) }
        return Verified(id: id, timestamp: timestamp)
    }
}

/// True when `a` and `b` hold the same bytes; the time taken depends only on the lengths.
func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices {
        difference |= a[index] ^ b[index]
    }
    return difference == 0
}

/// An incoming webhook did not verify; reject the request (HTTP 400 or 401).
public enum WebhookVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The verifier was built without secrets.
    case noSecrets
    /// A required header is absent.
    case missingHeader(String)
    /// `webhook-timestamp` is not a whole number of Unix seconds.
    case invalidTimestamp(String)
    /// The timestamp is older than the tolerance (a replay, or a very late retry).
    case timestampTooOld(ageSeconds: Int64, toleranceSeconds: Int64)
    /// The timestamp is further in the future than the tolerance (clock skew).
    case timestampTooNew(aheadSeconds: Int64, toleranceSeconds: Int64)
    /// No `v1` signature matched any secret.
    case noMatchingSignature(offered: Int, secrets: Int)

    /// A one-line message for people.

    /// A one-line message for people: what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .noSecrets:
            return "webhook verifier has no secrets — configure the endpoint's whsec_ signing secret"
        case .missingHeader(let name):
            return "webhook request has no \(name) header — it was not sent by a Standard Webhooks sender, or a proxy dropped the header"
        case .invalidTimestamp(let value):
            return "webhook-timestamp \"\(value.prefix(40))\" is not Unix seconds — the sender must put whole seconds since 1970 there"
        case .timestampTooOld(let age, let tolerance):
            return "webhook-timestamp is \(age) s old, more than the \(tolerance) s tolerance — a replayed request, or this server's clock is wrong"
        case .timestampTooNew(let ahead, let tolerance):
            return "webhook-timestamp is \(ahead) s in the future, more than the \(tolerance) s tolerance — check the sender's and this server's clocks (NTP)"
        case .noMatchingSignature(let offered, let secrets):
            return "no webhook signature matched (\(offered) v1 signature(s) offered, \(secrets) secret(s) tried) — the body was altered or the secret is wrong; verify the raw body bytes with the endpoint's current whsec_ secret"
        }
    }
}
