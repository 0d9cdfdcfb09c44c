import Foundation
import Logging
import Spool
import SpoolHandlers
import SpoolTestSupport
import SpoolWorker
import Testing

/// A real HTTP test server, a real Redis namespace and a real Worker running `spool.webhook`.
final class WebhookRig {
    let server: TestServer
    let client: SpoolClient
    let queue: Queue
    let worker: Worker
    let handler: WebhookHandler
    let secret: WebhookSecret
    let oldSecret: WebhookSecret

    /// `endpoints` are YAML-like endpoint mappings; `{port}` in a url is replaced by the server's port.
    /// Every endpoint is signed with `env:HOOK_SECRET` and `file:<tmp>` (a rotation: two signatures).
    init(_ label: String, endpoints: [[String: Any]], extra: [String: Any] = [:], maxAttempts: Int = 2,
         backoff: RetryPolicy = .fixed(.milliseconds(10))) throws {
        let secret = WebhookSecret.generate()
        let oldSecret = WebhookSecret.generate()
        self.secret = secret
        self.oldSecret = oldSecret
        let server = try TestServer.start(secrets: [secret.encoded, oldSecret.encoded])
        self.server = server
        var started = false
        let secretFile = server.logPath + ".secret"
        defer {
            if !started {
                unlink(secretFile)
                server.stop()
            }
        }
        try Data((oldSecret.encoded + "\n").utf8).write(to: URL(fileURLWithPath: secretFile))
        var section = extra
        section["endpoints"] = endpoints.map { endpoint -> [String: Any] in
            var endpoint = endpoint
            if let url = endpoint["url"] as? String { endpoint["url"] = url.replacingOccurrences(of: "{port}", with: "\(server.port)") }
            if endpoint["secrets"] == nil { endpoint["secrets"] = ["env:HOOK_SECRET", "file:\(secretFile)"] }
            return endpoint
        }
        let configuration = try WebhookConfiguration(dictionary: section, file: "jobs/spool.yaml", key: "handlers.webhook")
        client = try WebhookTestEnvironment.client(label)
        let retention = QueueRetention(keepCompletedDetails: true)
        queue = try client.queue("hooks", retention: retention)
        handler = try WebhookHandler(configuration: configuration, client: client,
                                     environment: ["HOOK_SECRET": secret.encoded], logger: WebhookTestEnvironment.quietLogger)
        var registry = HandlerRegistry()
        registry.register(handler, settings: .init(maxAttempts: maxAttempts, backoff: backoff))
        var workerConfiguration = WorkerConfiguration(groups: [.init(queues: [.init(name: "hooks", retention: retention)], concurrency: 2)])
        workerConfiguration.reapInterval = .milliseconds(200)
        worker = Worker(client: client, registry: registry, configuration: workerConfiguration, logger: WebhookTestEnvironment.quietLogger)
        try worker.start()
        started = true
    }

    func stop() {
        worker.shutdown(grace: .seconds(1))
        unlink(server.logPath + ".secret")
        server.stop()
    }

    func enqueue(_ payload: WebhookPayload) throws -> String {
        try queue.enqueue(NewJob(kind: "spool.webhook", payload: payload)).id
    }

    func job(_ id: String) throws -> Job {
        guard let job = try queue.job(id: id) else { throw TestSetupError("job \(id) vanished") }
        return job
    }

    /// Waits for the job to reach `state` (10 s by default) and returns it.
    func wait(_ id: String, for state: JobState, within limit: Duration = .seconds(10)) throws -> Job {
        _ = try WebhookTestEnvironment.eventually(limit) { try job(id).state == state }
        return try job(id)
    }

    func requests() throws -> [RecordedRequest] { try server.requests() }
}

enum WebhookTestEnvironment {
    static func client(_ label: String) throws -> SpoolClient {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_REDIS_URL"], !url.isEmpty else {
            throw TestSetupError("SPOOL_TEST_REDIS_URL is not set: run the tests with scripts/test, which starts a throwaway Redis")
        }
        return SpoolClient(configuration: try RedisConfiguration(url: url),
                           prefix: "test-webhook-\(label)-\(UUID().uuidString.prefix(8).lowercased())")
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "spool.test.webhook")
        logger.logLevel = .critical
        return logger
    }

    static func eventually(_ limit: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
        try SpoolTestSupport.eventually(limit, condition)
    }
}

/// Runs `body` with a rig, stopping it whatever happens.
func withWebhookRig(_ label: String, endpoints: [[String: Any]], extra: [String: Any] = [:], maxAttempts: Int = 2,
                    backoff: RetryPolicy = .fixed(.milliseconds(10)), _ body: (WebhookRig) throws -> Void) throws {
    let rig = try WebhookRig(label, endpoints: endpoints, extra: extra, maxAttempts: maxAttempts, backoff: backoff)
    defer { rig.stop() }
    try body(rig)
}

/// A loopback endpoint mapping; `more` defaults to the explicit opt-in `allowed_networks: [127.0.0.1/32]`.
private func endpoint(_ name: String, _ path: String, _ more: [String: Any]? = nil) -> [String: Any] {
    var entry = more ?? ["allowed_networks": ["127.0.0.1/32"]]
    entry["name"] = name
    entry["url"] = "http://127.0.0.1:{port}\(path)"
    return entry
}

@Suite("Webhook handler through a real worker")
struct WebhookHandlerTests {
    @Test("2xx: done; both rotation signatures verify in Python; body received is the body signed; headers and result")
    func delivered() throws {
        var ok = endpoint("ok", "/status/200")
        ok["headers"] = ["x-team": "payments"]
        try withWebhookRig("ok", endpoints: [ok]) { rig in
            let data = WebhookJSON.object([
                "invoice": .string("in_1 \"quoted\" ünïcode\n"), "amount": .integer(4200), "ratio": .number(0.25),
                "tags": .array([.string("a"), .null, .bool(true)]), "nested": .object(["z": .integer(1), "a": .integer(2)]),
            ])
            let payload = WebhookPayload(endpoint: "ok", event: "invoice.paid", data: data)
            let id = try rig.enqueue(payload)
            let job = try rig.wait(id, for: .done)
            #expect(job.state == .done)
            let result = try #require(job.result)
            #expect(result.hasPrefix("200 in ") && result.contains(" ms: status 200"), "\(result)")
            let request = try #require(try rig.requests().first)
            #expect(request.method == "POST" && request.path == "/status/200")
            #expect(request.signature_valid == [true, true])
            #expect(request.bodyBytes == payload.bodyBytes)
            #expect(String(decoding: request.bodyBytes, as: UTF8.self)
                == #"{"data":{"amount":4200,"invoice":"in_1 \"quoted\" ünïcode\n","nested":{"a":2,"z":1},"ratio":0.25,"tags":["a",null,true]},"type":"invoice.paid"}"#)
            #expect(request.header("webhook-id") == id)
            #expect(request.header("content-type") == "application/json")
            #expect(request.header("user-agent") == "Spool-Webhook/1")
            #expect(request.header("x-team") == "payments")
            #expect(request.header("webhook-signature")?.split(separator: " ").count == 2)
            let timestamp = try #require(request.header("webhook-timestamp").flatMap { Double($0) })
            #expect(abs(timestamp - Date().timeIntervalSince1970) < 30)
        }
    }

    @Test("a producer-given body is sent byte for byte and signed as sent; a given id is the webhook-id")
    func givenBody() throws {
        try withWebhookRig("body", endpoints: [endpoint("echo", "/echo")]) { rig in
            var payload = WebhookPayload(endpoint: "echo", event: "x.y", id: "msg_fixed")
            payload.body = "{ \"b\": 1,   \"a\": [2, 1] }"
            let id = try rig.enqueue(payload)
            _ = try rig.wait(id, for: .done)
            let request = try #require(try rig.requests().first)
            #expect(request.bodyBytes == Array("{ \"b\": 1,   \"a\": [2, 1] }".utf8))
            #expect(request.header("webhook-id") == "msg_fixed")
            #expect(request.signature_valid == [true, true])
        }
    }

    @Test("500: retried (attempt 2 happens, same webhook-id, fresh signature) then dead after max attempts")
    func serverErrorRetriesThenDies() throws {
        try withWebhookRig("500", endpoints: [endpoint("flaky", "/status/500")], maxAttempts: 3) { rig in
            let id = try rig.enqueue(WebhookPayload(endpoint: "flaky", event: "e"))
            let job = try rig.wait(id, for: .dead)
            #expect(job.deadReason == "exhausted" && job.attempts == 3)
            #expect(job.errors.count == 3)
            let last = try #require(job.lastError)
            #expect(last.contains("flaky answered 500 in ") && last.contains(" ms: status 500"), "\(last)")
            let requests = try rig.requests()
            #expect(requests.count == 3)
            #expect(Set(requests.compactMap { $0.header("webhook-id") }) == [id])
            #expect(requests.allSatisfy { $0.signature_valid == [true, true] })
            #expect(Set(requests.map(\.bodyBytes)).count == 1)
        }
    }

    @Test("429 with Retry-After: rate limited, the attempt is given back, it comes again after Retry-After")
    func rateLimited() throws {
        try withWebhookRig("429", endpoints: [endpoint("busy", "/retry-after/429/1")], maxAttempts: 1) { rig in
            let id = try rig.enqueue(WebhookPayload(endpoint: "busy", event: "e"))
            #expect(try WebhookTestEnvironment.eventually { try rig.requests().count == 1 })
            #expect(try WebhookTestEnvironment.eventually { try rig.job(id).state == .scheduled })
            let job = try rig.job(id)
            #expect(job.attempts == 0, "attempts \(job.attempts)")
            #expect(job.lastError?.contains("rate limited: busy answered 429") == true, "\(String(describing: job.lastError))")
            // With max attempts 1, a counted attempt would have made it dead; it comes back instead.
            #expect(try WebhookTestEnvironment.eventually(.seconds(5)) { try rig.requests().count >= 2 })
            let requests = try rig.requests()
            let gap = (requests[1].time ?? 0) - (requests[0].time ?? 0)
            #expect(gap > 0.8 && gap < 3.5, "gap \(gap)")
            #expect(try rig.job(id).state != .dead)
        }
    }

    @Test("503 with Retry-After: retried at about that time, and the attempt counts")
    func unavailableRetryAfter() throws {
        try withWebhookRig("503", endpoints: [endpoint("down", "/retry-after/503/2")], maxAttempts: 2,
                           backoff: .fixed(.milliseconds(10))) { rig in
            let id = try rig.enqueue(WebhookPayload(endpoint: "down", event: "e"))
            let job = try rig.wait(id, for: .dead, within: .seconds(8))
            #expect(job.deadReason == "exhausted" && job.attempts == 2)
            let requests = try rig.requests()
            #expect(requests.count == 2)
            if requests.count == 2 {
                let gap = (requests[1].time ?? 0) - (requests[0].time ?? 0)
                #expect(gap > 1.8 && gap < 4, "gap \(gap)")  // not the 10 ms backoff
            }
        }
    }

    @Test("410: dead and endpoint disabled; a later job to it is dead at once; re-enabling lets it through")
    func goneDisables() throws {
        try withWebhookRig("410", endpoints: [endpoint("gone", "/status/410"), endpoint("other", "/status/200")], maxAttempts: 5) { rig in
            let first = try rig.enqueue(WebhookPayload(endpoint: "gone", event: "e"))
            let dead = try rig.wait(first, for: .dead)
            #expect(dead.deadReason == "failed" && dead.attempts == 1)
            #expect(dead.lastError?.contains("gone answered 410") == true)
            let disabled = try rig.handler.admin.disabledEndpoints()
            #expect(disabled.map(\.name) == ["gone"])
            #expect(disabled.first?.reason.contains("410") == true)
            #expect(abs((disabled.first?.disabledAt.timeIntervalSinceNow ?? 999)) < 60)

            let second = try rig.enqueue(WebhookPayload(endpoint: "gone", event: "e"))
            let refused = try rig.wait(second, for: .dead)
            #expect(refused.attempts == 1 && refused.lastError?.contains("webhook endpoint \"gone\" is disabled since") == true,
                    "\(String(describing: refused.lastError))")
            let other = try rig.enqueue(WebhookPayload(endpoint: "other", event: "e"))
            #expect(try rig.wait(other, for: .done).state == .done)
            #expect(try rig.requests().filter { $0.path == "/status/410" }.count == 1)

            #expect(try rig.handler.admin.enable("gone"))
            #expect(try rig.handler.admin.enable("gone") == false)
            let third = try rig.enqueue(WebhookPayload(endpoint: "gone", event: "e"))
            _ = try rig.wait(third, for: .dead)
            #expect(try rig.requests().filter { $0.path == "/status/410" }.count == 2)
        }
    }

    @Test("400: dead at once, with status and response in the error")
    func badRequest() throws {
        try withWebhookRig("400", endpoints: [endpoint("strict", "/status/400")], maxAttempts: 5) { rig in
            let id = try rig.enqueue(WebhookPayload(endpoint: "strict", event: "e"))
            let job = try rig.wait(id, for: .dead)
            #expect(job.deadReason == "failed" && job.attempts == 1)
            #expect(job.lastError?.contains("strict answered 400") == true && job.lastError?.contains("status 400") == true)
            #expect(try rig.requests().count == 1)
            #expect(try rig.handler.admin.disabledEndpoints().isEmpty)
        }
    }

    @Test("timeout (/slow): retried, then dead after max attempts")
    func timeoutRetries() throws {
        var slow = endpoint("slow", "/slow/3000")
        slow["timeout"] = "300ms"
        try withWebhookRig("slow", endpoints: [slow], maxAttempts: 2) { rig in
            let id = try rig.enqueue(WebhookPayload(endpoint: "slow", event: "e"))
            let job = try rig.wait(id, for: .dead)
            #expect(job.deadReason == "exhausted" && job.attempts == 2)
            #expect(job.lastError?.contains("did not finish answering within 300 ms") == true, "\(String(describing: job.lastError))")
            #expect(try rig.requests().count == 2)
        }
    }

    @Test("a redirect is not followed: permanent")
    func redirectPermanent() throws {
        try withWebhookRig("302", endpoints: [endpoint("moved", "/redirect")], maxAttempts: 5) { rig in
            let id = try rig.enqueue(WebhookPayload(endpoint: "moved", event: "e"))
            let job = try rig.wait(id, for: .dead)
            #expect(job.attempts == 1 && job.lastError?.contains("moved answered 302") == true)
            #expect(job.lastError?.contains("redirects are not followed") == true)
            #expect(try rig.requests().map(\.path) == ["/redirect"])
        }
    }

    @Test("SSRF guard: a loopback endpoint without allow_private is refused (permanent, nothing sent); with it, delivered")
    func ssrfGuard() throws {
        try withWebhookRig("ssrf", endpoints: [endpoint("internal", "/status/200", [:]),
                                               endpoint("opted-in", "/status/201", ["allow_private": true])], maxAttempts: 5) { rig in
            let refused = try rig.enqueue(WebhookPayload(endpoint: "internal", event: "e"))
            let job = try rig.wait(refused, for: .dead)
            #expect(job.attempts == 1 && job.lastError?.contains("SSRF guard") == true, "\(String(describing: job.lastError))")
            #expect(try rig.requests().isEmpty)
            let allowed = try rig.enqueue(WebhookPayload(endpoint: "opted-in", event: "e"))
            #expect(try rig.wait(allowed, for: .done).result?.hasPrefix("201 in") == true)
            #expect(try rig.requests().map(\.path) == ["/status/201"])
        }
    }

    @Test("ad-hoc URLs: refused unless allowed; when allowed, signed with an env: secret reference")
    func adHoc() throws {
        try withWebhookRig("adhoc-off", endpoints: []) { rig in
            let id = try rig.enqueue(WebhookPayload(url: rig.server.url("/status/200"), event: "e"))
            let job = try rig.wait(id, for: .dead)
            #expect(job.lastError?.contains("ad-hoc webhook URLs are not allowed") == true)
            #expect(try rig.requests().isEmpty)
        }
        let extra: [String: Any] = ["allow_ad_hoc_urls": true, "ad_hoc_allowed_networks": ["127.0.0.1/32"]]
        try withWebhookRig("adhoc-on", endpoints: [], extra: extra) { rig in
            let signed = try rig.enqueue(WebhookPayload(url: rig.server.url("/status/200"), secret: "env:HOOK_SECRET", event: "e"))
            #expect(try rig.wait(signed, for: .done).state == .done)
            let unsigned = try rig.enqueue(WebhookPayload(url: rig.server.url("/status/202"), event: "e"))
            #expect(try rig.wait(unsigned, for: .done).state == .done)
            let literal = try rig.enqueue(WebhookPayload(url: rig.server.url("/status/200"), secret: "whsec_abc", event: "e"))
            #expect(try rig.wait(literal, for: .dead).lastError?.contains("must be a reference") == true)
            let requests = try rig.requests()
            #expect(requests.count == 2)
            #expect(requests.first { $0.path == "/status/200" }?.signature_valid == [true, false])
            #expect(requests.first { $0.path == "/status/202" }?.header("webhook-signature") == nil)
        }
    }

    @Test("event types: one the endpoint does not accept is permanent and not sent; accepted ones and families go out")
    func eventFilter() throws {
        var picky = endpoint("picky", "/status/200")
        picky["events"] = ["invoice.paid", "customer.*"]
        try withWebhookRig("events", endpoints: [picky], maxAttempts: 5) { rig in
            let refused = try rig.enqueue(WebhookPayload(endpoint: "picky", event: "invoice.voided"))
            let job = try rig.wait(refused, for: .dead)
            #expect(job.attempts == 1 && job.lastError?.contains("does not accept event type \"invoice.voided\"") == true)
            let unknown = try rig.enqueue(WebhookPayload(endpoint: "nobody", event: "invoice.paid"))
            #expect(try rig.wait(unknown, for: .dead).lastError?.contains("no webhook endpoint named \"nobody\"") == true)
            #expect(try rig.requests().isEmpty)
            let paid = try rig.enqueue(WebhookPayload(endpoint: "picky", event: "invoice.paid"))
            let created = try rig.enqueue(WebhookPayload(endpoint: "picky", event: "customer.created"))
            #expect(try rig.wait(paid, for: .done).state == .done)
            #expect(try rig.wait(created, for: .done).state == .done)
            #expect(try rig.requests().count == 2)
        }
    }
}
