import Crypto
import Foundation
import SpoolHandlers
import Testing

@Suite("Standard Webhooks signing and verification")
struct WebhookSigningTests {
    // The Standard Webhooks reference test vector.
    static let vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let vectorID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let vectorTimestamp: Int64 = 1_614_265_330
    static let vectorBody = Array("{\"test\": 2432232314}".utf8)
    static let vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    static let secretA = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
    static let secretB = "whsec_" + Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString()

    /// The signature computed directly from the spec's words, sharing no code with WebhookSigner.
    static func specSignature(secret: String, id: String, timestamp: Int64, body: [UInt8]) throws -> String {
        let encodedKey = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        let key = try #require(Data(base64Encoded: encodedKey))
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    @Test func matchesTheReferenceVector() throws {
        let secret = try WebhookSecret(Self.vectorSecret)
        let headers = WebhookSigner().headers(id: Self.vectorID, timestamp: Self.vectorTimestamp, body: Self.vectorBody, secrets: [secret])
        #expect(headers.map(\.0) == ["webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(headers.map(\.1) == [Self.vectorID, "1614265330", Self.vectorSignature])
        #expect(try Self.specSignature(secret: Self.vectorSecret, id: Self.vectorID, timestamp: Self.vectorTimestamp, body: Self.vectorBody) == Self.vectorSignature)
    }

    @Test func signsAwkwardBodiesLikeAnIndependentComputation() throws {
        let body = HTTPClientTests.awkwardBody
        let secret = try WebhookSecret(Self.secretA)
        let signature = WebhookSigner().signature(id: "msg_1", timestamp: 1_700_000_000, body: body, secret: secret)
        #expect(signature == (try Self.specSignature(secret: Self.secretA, id: "msg_1", timestamp: 1_700_000_000, body: body)))
    }

    @Test func theServerVerifiesSignaturesOfTheBytesItReceived() throws {
        try withTestServer(secrets: [Self.secretA, Self.secretB]) { server in
            let client = try HTTPClient()
            let body = HTTPClientTests.awkwardBody
            let now = Int64(Date().timeIntervalSince1970)
            let signer = WebhookSigner()

            // One secret, then a rotation with both, then only the new one.
            let rounds: [[String]] = [[Self.secretA], [Self.secretA, Self.secretB], [Self.secretB]]
            for (index, secrets) in rounds.enumerated() {
                let parsed = try secrets.map { try WebhookSecret($0) }
                var headers = HTTPHeaders(signer.headers(id: "msg_\(index)", timestamp: now, body: body, secrets: parsed))
                headers.add(name: "Content-Type", value: "application/json")
                let response = try client.send(server.request("/echo", method: "POST", body: body, headers: headers))
                #expect(response.status == 200)
            }

            let recorded = try server.requests()
            #expect(recorded.count == 3)
            #expect(recorded.allSatisfy { $0.bodyBytes == body })
            #expect(recorded.map(\.signature_valid) == [[true, false], [true, true], [false, true]])
            #expect(recorded[1].header("webhook-signature")?.split(separator: " ").count == 2)
            #expect(recorded.map { $0.header("webhook-id") } == ["msg_0", "msg_1", "msg_2"])
            #expect(recorded.allSatisfy { $0.header("webhook-timestamp") == String(now) })

            // And the receiving side's verifier accepts what was received.
            for entry in recorded {
                let headers = HTTPHeaders(entry.headers.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil })
                let verifier = WebhookVerifier(secrets: [try WebhookSecret(Self.secretA), try WebhookSecret(Self.secretB)])
                let verified = try verifier.verify(headers: headers, body: entry.bodyBytes)
                #expect(verified.timestamp == now)
            }
        }
    }

    func signedHeaders(secrets: [String], body: [UInt8], timestamp: Int64) throws -> HTTPHeaders {
        HTTPHeaders(WebhookSigner().headers(id: "msg_v", timestamp: timestamp, body: body, secrets: try secrets.map { try WebhookSecret($0) }))
    }

    @Test func verifierAcceptsValidAndRejectsTamperedWrongOldNewAndMissing() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let stamp: Int64 = 1_700_000_000
        let body = Array("{\"event\":\"paid\"}".utf8)
        let verifier = WebhookVerifier(secret: try WebhookSecret(Self.secretA))
        let good = try signedHeaders(secrets: [Self.secretA], body: body, timestamp: stamp)

        let verified = try verifier.verify(headers: good, body: body, now: now)
        #expect(verified.id == "msg_v")
        #expect(verified.timestamp == stamp)

        #expect(throws: WebhookVerificationError.noMatchingSignature(offered: 1, secrets: 1)) {
            try verifier.verify(headers: good, body: body + [0x20], now: now)
        }
        let wrong = try signedHeaders(secrets: [Self.secretB], body: body, timestamp: stamp)
        #expect(throws: WebhookVerificationError.noMatchingSignature(offered: 1, secrets: 1)) {
            try verifier.verify(headers: wrong, body: body, now: now)
        }
        let old = try signedHeaders(secrets: [Self.secretA], body: body, timestamp: stamp - 301)
        #expect(throws: WebhookVerificationError.timestampTooOld(ageSeconds: 301, toleranceSeconds: 300)) {
            try verifier.verify(headers: old, body: body, now: now)
        }
        let edge = try signedHeaders(secrets: [Self.secretA], body: body, timestamp: stamp - 300)
        #expect(throws: Never.self) { try verifier.verify(headers: edge, body: body, now: now) }
        let future = try signedHeaders(secrets: [Self.secretA], body: body, timestamp: stamp + 600)
        #expect(throws: WebhookVerificationError.timestampTooNew(aheadSeconds: 600, toleranceSeconds: 300)) {
            try verifier.verify(headers: future, body: body, now: now)
        }
        #expect(throws: Never.self) { try verifier.verify(headers: future, body: body, now: now, tolerance: .seconds(900)) }

        var missing = good
        missing.remove(name: "Webhook-Signature")
        #expect(throws: WebhookVerificationError.missingHeader("webhook-signature")) {
            try verifier.verify(headers: missing, body: body, now: now)
        }
        var badStamp = good
        badStamp.replaceOrAdd(name: "webhook-timestamp", value: "17e8")
        #expect(throws: WebhookVerificationError.invalidTimestamp("17e8")) {
            try verifier.verify(headers: badStamp, body: body, now: now)
        }
    }

    @Test func verifierAcceptsAnyOfSeveralSignaturesAndIgnoresOtherVersions() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let body = Array("x".utf8)
        let signature = WebhookSigner().signature(id: "msg_v", timestamp: 1_700_000_000, body: body, secret: try WebhookSecret(Self.secretB))
        let headers: HTTPHeaders = [
            "Webhook-Id": "msg_v",
            "Webhook-Timestamp": "1700000000",
            "Webhook-Signature": "v1a,AAAA v1,bm90IGl0 \(signature)",
        ]
        // Rotation on the receiving side: old and new secret both accepted.
        let verifier = WebhookVerifier(secrets: [try WebhookSecret(Self.secretA), try WebhookSecret(Self.secretB)])
        #expect(throws: Never.self) { try verifier.verify(headers: headers, body: body, now: now) }
        let onlyA = WebhookVerifier(secret: try WebhookSecret(Self.secretA))
        #expect(throws: WebhookVerificationError.noMatchingSignature(offered: 2, secrets: 1)) {
            try onlyA.verify(headers: headers, body: body, now: now)
        }
    }

    @Test func secretsParseWithOrWithoutPrefixAndFailClearly() throws {
        let prefixed = try WebhookSecret(Self.vectorSecret)
        let bare = try WebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(prefixed == bare)
        #expect(prefixed.keyLength == 24)
        #expect(prefixed.encoded == Self.vectorSecret)
        #expect(try WebhookSecret(" \(Self.vectorSecret)\n") == prefixed)
        #expect(!String(describing: prefixed).contains("MfKQ9"))

        #expect(throws: WebhookSecretError.wrongPrefix(found: "whsk_")) { try WebhookSecret("whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") }
        #expect(throws: WebhookSecretError.invalidBase64) { try WebhookSecret("whsec_not base64!") }
        #expect(throws: WebhookSecretError.empty) { try WebhookSecret("whsec_") }
        #expect(throws: WebhookSecretError.empty) { try WebhookSecret("   ") }
        #expect(WebhookSecretError.wrongPrefix(found: "whsk_").description.contains("whsec_"))

        let generated = WebhookSecret.generate()
        #expect(generated.keyLength == 32)
        #expect(try WebhookSecret(generated.encoded) == generated)
        #expect(generated != WebhookSecret.generate())
    }
}
