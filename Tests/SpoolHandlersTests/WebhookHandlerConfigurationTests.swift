import Foundation
import Spool
import SpoolHandlers
import Testing

@Suite("Webhook handler configuration, secret references and body")
struct WebhookHandlerConfigurationTests {
    private func parse(_ section: [String: Any]) throws(WebhookConfigurationError) -> WebhookConfiguration {
        try WebhookConfiguration(dictionary: section, file: "jobs/spool.yaml", key: "handlers.webhook")
    }

    /// The message of the configuration error `section` raises, or nil if it parses.
    private func problem(_ section: [String: Any]) -> String? {
        do {
            _ = try parse(section)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("a full section parses: defaults, durations, headers, events, SSRF opt-ins, secret references")
    func parsesFullSection() throws {
        let configuration = try parse([
            "allow_ad_hoc_urls": true,
            "ad_hoc_allowed_networks": ["10.0.0.0/8"],
            "timeout": "20s",
            "connect_timeout": 2,
            "rate_limit_wait": "1m",
            "endpoints": [
                ["name": "billing", "url": "https://billing.example.com/hooks",
                 "secrets": ["env:BILLING", "file:/etc/spool/old", "credential:billing"],
                 "headers": ["x-team": "payments", "x-version": 2], "timeout": "1500ms", "events": ["invoice.*"]],
                ["name": "internal", "url": "http://10.1.2.3/hook", "allow_private": true],
            ],
        ])
        #expect(configuration.allowAdHocURLs)
        #expect(configuration.adHocSSRFPolicy.allowedNetworks.map(\.description) == ["10.0.0.0/8"])
        #expect(configuration.defaultTimeout == .seconds(20) && configuration.defaultConnectTimeout == .seconds(2))
        #expect(configuration.rateLimitWait == .seconds(60))
        let billing = try #require(configuration.endpoints["billing"])
        #expect(billing.secrets == [.environment("BILLING"), .file("/etc/spool/old"), .credential("billing")])
        #expect(billing.headers["x-team"] == "payments" && billing.headers["x-version"] == "2")
        #expect(billing.timeout == .milliseconds(1500) && billing.connectTimeout == .seconds(2))
        #expect(billing.ssrfPolicy == .publicOnly)
        #expect(billing.accepts(event: "invoice.paid") && !billing.accepts(event: "customer.created"))
        let privateOne = try #require(configuration.endpoints["internal"])
        #expect(privateOne.ssrfPolicy.allowPrivate && privateOne.timeout == .seconds(20) && privateOne.secrets.isEmpty)
        #expect(privateOne.accepts(event: "anything"))

        let empty = try parse([:])
        #expect(!empty.allowAdHocURLs && empty.endpoints.isEmpty && empty.defaultTimeout == .seconds(30))
        #expect(empty.adHocSSRFPolicy == .publicOnly)
    }

    @Test("bad sections fail with the file, the key and the problem")
    func errorsNameFileKeyAndProblem() {
        let cases: [([String: Any], String)] = [
            (["allow_adhoc_urls": true], "jobs/spool.yaml: handlers.webhook.allow_adhoc_urls: unknown key"),
            (["timeout": "soon"], "jobs/spool.yaml: handlers.webhook.timeout: \"soon\" is not a duration"),
            (["timeout": -1], "handlers.webhook.timeout: \"-1\" is not a duration like 500ms"),
            (["timeout": 2.5], "handlers.webhook.timeout: \"2.5\" is not a duration like 500ms, 30s, 15m, 2h or 7d (a bare number is seconds), above zero"),
            (["allow_ad_hoc_urls": "maybe"], "handlers.webhook.allow_ad_hoc_urls: expected true or false"),
            (["endpoints": "billing"], "handlers.webhook.endpoints: expected a list"),
            (["endpoints": [["url": "https://x.example"]]], "handlers.webhook.endpoints[0].name: missing"),
            (["endpoints": [["name": "a"]]], "handlers.webhook.endpoints[0].url: missing"),
            (["endpoints": [["name": "a", "url": "ftp://x.example/"]]], "handlers.webhook.endpoints[0].url: \"ftp://x.example/\" is not a usable URL"),
            (["endpoints": [["name": "a", "url": "https://x.example", "secrets": ["whsec_c2VjcmV0"]]]],
             "handlers.webhook.endpoints[0].secrets[0]: not a secret reference — write env:NAME, file:/path or credential:NAME; never the secret itself"),
            (["endpoints": [["name": "a", "url": "https://x.example", "allowed_networks": ["10.0.0.0/99"]]]],
             "handlers.webhook.endpoints[0].allowed_networks[0]: not an IP address or CIDR block"),
            (["endpoints": [["name": "a", "url": "https://x.example", "headers": ["bad header": "x"]]]],
             "handlers.webhook.endpoints[0].headers.bad header: \"bad header\" is not a valid header name"),
            (["endpoints": [["name": "a", "url": "https://x.example", "headers": ["Webhook-Signature": "v1,forged"]]]],
             "handlers.webhook.endpoints[0].headers.Webhook-Signature: Webhook-Signature is set by the webhook handler itself"),
            (["endpoints": [["name": "a", "url": "https://x.example", "secret": ["env:X"]]]],
             "handlers.webhook.endpoints[0].secret: unknown key"),
            (["endpoints": [["name": "a", "url": "https://x.example"], ["name": "a", "url": "https://y.example"]]],
             "handlers.webhook.endpoints[1].name: endpoint \"a\" is defined twice"),
        ]
        for (section, expected) in cases {
            let message = problem(section)
            #expect(message?.contains(expected) == true, "\(String(describing: message)) should contain \(expected)")
            #expect(message?.contains("\n") == false)
        }
    }

    @Test("secret references: env, file and credential resolve; only references parse")
    func secretReferencesResolve() throws {
        let secret = WebhookSecret.generate()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("hook.secret")
        try Data("  \(secret.encoded)\n".utf8).write(to: file)

        #expect(try SecretReference.environment("HOOK").webhookSecret(endpoint: "e", environment: ["HOOK": secret.encoded]) == secret)
        #expect(try SecretReference.file(file.path).webhookSecret(endpoint: "e", environment: [:]) == secret)
        #expect(try SecretReference.credential("hook.secret").webhookSecret(endpoint: "e", environment: ["CREDENTIALS_DIRECTORY": directory.path]) == secret)

        #expect(SecretReference("env:HOOK") == .environment("HOOK"))
        #expect(SecretReference("file:/run/x") == .file("/run/x"))
        #expect(SecretReference("credential:x") == .credential("x"))
        for literal in ["whsec_c2VjcmV0", "c2VjcmV0", "env:", "vault:x", "credential:../x"] {
            #expect(SecretReference(literal) == nil, "\(literal)")
        }
    }

    @Test("a missing or malformed secret is a clear configuration error when the handler is created")
    func missingSecretsFailAtStart() throws {
        let client = SpoolClient(configuration: try RedisConfiguration(url: "redis://127.0.0.1:1"), prefix: "unused")
        func failure(_ secrets: [String], environment: [String: String]) throws -> String? {
            let configuration = try WebhookConfiguration(
                dictionary: ["endpoints": [["name": "billing", "url": "https://billing.example.com", "secrets": secrets]]],
                file: "jobs/spool.yaml", key: "handlers.webhook")
            do {
                _ = try WebhookHandler(configuration: configuration, client: client, environment: environment)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(try failure(["env:BILLING_SECRET"], environment: [:])
            == "webhook endpoint \"billing\": secret env:BILLING_SECRET: environment variable BILLING_SECRET is not set — export it in the daemon's environment")
        #expect(try failure(["file:/nonexistent/spool/secret"], environment: [:])?
            .contains("secret file:/nonexistent/spool/secret: cannot read /nonexistent/spool/secret") == true)
        #expect(try failure(["credential:billing"], environment: [:])?.contains("CREDENTIALS_DIRECTORY is not set") == true)
        let malformed = try failure(["env:BILLING_SECRET"], environment: ["BILLING_SECRET": "sk_live_123"])
        #expect(malformed?.contains("starts with \"sk_\"") == true && malformed?.contains("123") == false, "\(String(describing: malformed))")
        #expect(try failure(["env:BILLING_SECRET"], environment: ["BILLING_SECRET": WebhookSecret.generate().encoded]) == nil)
    }

    @Test("the built body is canonical: sorted keys, escapes, integers kept, same bytes every time")
    func canonicalBody() throws {
        let json = #"{"event":"e","endpoint":"x","data":{"b":[1,2.5,-3e2,true,null],"a":"tab\tquote\"slash\\ \u0001 é","c":{}}}"#
        let payload = try JSONDecoder().decode(WebhookPayload.self, from: Data(json.utf8))
        let body = String(decoding: payload.bodyBytes, as: UTF8.self)
        #expect(body == #"{"data":{"a":"tab\tquote\"slash\\ \u0001 é","b":[1,2.5,-300,true,null],"c":{}},"type":"e"}"#)
        let again = try JSONDecoder().decode(WebhookPayload.self, from: JSONEncoder().encode(payload))
        #expect(again.bodyBytes == payload.bodyBytes)
        let parsed = try JSONSerialization.jsonObject(with: Data(payload.bodyBytes)) as? [String: Any]
        #expect(parsed?["type"] as? String == "e")
    }
}
