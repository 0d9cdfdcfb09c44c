import Foundation
import Logging
import Spool
import SpoolHandlers
import SpoolTestSupport
import SpoolWorker
import Testing

/// Report delivery: the definition's `delivery:` section, and a real run on Postgres whose email job carries
/// the report files through a real SMTP server, and whose webhook job carries the manifest.
@Suite("Report delivery", .serialized)
struct ReportDeliveryTests {
    @Test("delivery sections parse; bad ones are refused naming the key")
    func parsing() throws {
        let definition = try ReportDefinition(dictionary: [
            "name": "r", "sql": "SELECT 1",
            "delivery": ["email": ["to": ["Ops <ops@example.com>"], "cc": "cc@example.com", "subject": "Numbers", "attach": false, "queue": "mail"],
                         "webhook": ["endpoint": "analytics"]],
        ], file: "r.yaml")
        let email = try #require(definition.delivery.email)
        #expect(email.to == ["Ops <ops@example.com>"] && email.cc == ["cc@example.com"] && email.subject == "Numbers")
        #expect(!email.attach && email.queue == "mail" && email.template == nil)
        #expect(definition.delivery.webhook == .init(endpoint: "analytics", event: "report.completed", queue: nil))
        #expect(try ReportDefinition(dictionary: ["name": "r", "sql": "SELECT 1"], file: "r.yaml").delivery.isEmpty)

        let bad: [([String: Any], String)] = [
            (["mail": [:]], "r.yaml: delivery.mail: unknown key"),
            (["email": "ops@example.com"], "r.yaml: delivery.email: must be a mapping"),
            (["email": ["subject": "x"]], "r.yaml: delivery.email.to: missing"),
            (["email": ["to": ["not an address"]]], "r.yaml: delivery.email.to: "),
            (["email": ["to": ["a@example.com"], "from": "nobody"]], "r.yaml: delivery.email.from: "),
            (["email": ["to": ["a@example.com"], "attach": "yes"]], "r.yaml: delivery.email.attach: must be true or false"),
            (["email": ["to": ["a@example.com"], "queue": "a:b"]], "r.yaml: delivery.email.queue: queue name \"a:b\" may not contain"),
            (["email": ["to": ["a@example.com"], "bodyy": "x"]], "r.yaml: delivery.email.bodyy: unknown key"),
            (["webhook": ["event": "x"]], "r.yaml: delivery.webhook.endpoint: missing"),
        ]
        for (delivery, message) in bad {
            #expect { try ReportDefinition(dictionary: ["name": "r", "sql": "SELECT 1", "delivery": delivery], file: "r.yaml") } throws: { error in
                "\(error)".hasPrefix(message)
            }
        }
        #expect { try ReportDefinition(dictionary: ["name": "r", "sql": "SELECT 1", "delivery": ["a"]], file: "r.yaml") } throws: { error in
            "\(error)".hasPrefix("r.yaml: delivery: must be a mapping")
        }
    }

    @Test("a finished report emails its files as attachments and enqueues a webhook with the manifest, once per report job")
    func emailAndWebhook() throws {
        try withDeliveryHarness(attachmentLimit: 10 << 20) { harness in
            let id = try harness.reports.enqueue(kind: "spool.report", json: #"{"report":"plans","parameters":{"plan":"pro"}}"#,
                                                 options: JobOptions(id: "report-1")).id
            let report = try harness.finished(id, in: harness.reports)
            #expect(report.state == .done, "\(String(describing: report.lastError))")
            let manifest = try JSONDecoder().decode(ReportManifest.self, from: Data(try #require(report.result).utf8))
            #expect(manifest.rows == 50)
            #expect(manifest.parameters == ["plan": .string("pro")])
            #expect(manifest.deliveries == [.init(kind: "spool.email", queue: "mail", jobID: "report-1.email"),
                                            .init(kind: "spool.webhook", queue: "hooks", jobID: "report-1.webhook")])
            // Files are named after the job's creation time, so a retry would rewrite the same names.
            let stamp = ISO8601DateFormatter().string(from: report.createdAt).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
            #expect(manifest.outputs.map(\.path) == ["plans/\(stamp)-report-1.csv", "plans/\(stamp)-report-1.jsonl"] as [String])

            let email = try harness.finished("report-1.email", in: harness.mail)
            #expect(email.state == .done, "\(String(describing: email.lastError))")
            let messages = try harness.server.messages()
            try #require(messages.count == 1)
            let message = messages[0]
            #expect(message.defects.isEmpty, "\(message.defects)")
            #expect(message.rcpt_tos == ["ops@example.com"])
            #expect(message.header("Subject") == "Report plans: 50 rows")
            let leaves = message.leafParts
            try #require(leaves.count == 3)
            let body = leaves[0].text ?? ""
            #expect(body.contains("Report plans finished: 50 rows") && body.contains("Parameters: plan=pro") && body.contains("Attached:"))
            #expect(leaves[1].filename == "\(stamp)-report-1.csv" && leaves[1].content_type == "text/csv")
            #expect(leaves[2].filename == "\(stamp)-report-1.jsonl" && leaves[2].content_type == "application/x-ndjson")
            for (leaf, output) in zip(leaves.dropFirst(), manifest.outputs) {
                let onDisk = try Data(contentsOf: URL(fileURLWithPath: harness.database.reportsRoot + "/" + output.path))
                #expect(leaf.decodedBytes == Array(onDisk), "\(output.path)")
            }

            // The webhook job waits in its own queue with the manifest as data; its id makes webhook-id stable.
            let hook = try #require(try harness.hooks.job(id: "report-1.webhook"))
            #expect(hook.kind == "spool.webhook" && hook.state == .ready)
            let payload = try JSONDecoder().decode(WebhookPayload.self, from: Data(hook.payload))
            #expect(payload.endpoint == "analytics" && payload.event == "report.completed")
            guard case .object(let data)? = payload.data else { Issue.record("no data object: \(hook.payloadText)"); return }
            #expect(data["rows"] == .integer(50) && data["report"] == .string("plans") && data["job_id"] == .string("report-1"))
            guard case .array(let outputs)? = data["outputs"] else { Issue.record("no outputs: \(hook.payloadText)"); return }
            #expect(outputs.count == 2)

            // The same run again (a retry after a crash past the enqueue) adds no delivery.
            let runner = harness.runner
            let again = try runner.run(ReportJob(report: "plans", parameters: ["plan": .string("pro")]), jobID: "report-1", queue: "reports",
                                       now: report.createdAt)
            #expect(again.manifest.outputs.map(\.path) == manifest.outputs.map(\.path))
            #expect(again.manifest.outputs.map(\.sha256).first == manifest.outputs.map(\.sha256).first, "same CSV bytes")
            #expect(again.deliveries.map(\.id) == ["report-1.email", "report-1.webhook"])
            for delivery in again.deliveries {
                #expect(try harness.client.queue(delivery.queue).enqueue(delivery.newJob).isNew == false)
            }
            #expect(try harness.mail.stats().enqueued == 1 && harness.hooks.stats().enqueued == 1)
            Thread.sleep(forTimeInterval: 0.2)
            #expect(try harness.server.messages().count == 1)
        }
    }

    @Test("files past the attachment limit are listed in the email instead of attached; the email still goes")
    func tooLargeToAttach() throws {
        try withDeliveryHarness(attachmentLimit: 100) { harness in
            let id = try harness.reports.enqueue(kind: "spool.report", json: #"{"report":"plans","parameters":{"plan":"free"}}"#).id
            #expect(try harness.finished(id, in: harness.reports).state == .done)
            let email = try harness.finished(id + ".email", in: harness.mail)
            #expect(email.state == .done, "\(String(describing: email.lastError))")
            let messages = try harness.server.messages()
            try #require(messages.count == 1)
            let leaves = messages[0].leafParts
            #expect(leaves.count == 1 && leaves[0].content_type == "text/plain")
            let body = leaves[0].text ?? ""
            #expect(body.contains("Files (under the reports folder):") && body.contains("plans/") && body.contains(".csv"))
            #expect(body.contains("Not attached: together they pass the 100-byte attachment limit"))
        }
    }
}

/// Postgres with a `signups` table, Redis, an SMTP server, and a worker running `spool.report` (queue
/// `reports`) and `spool.email` (queue `mail`); `hooks` is left unconsumed so its jobs can be inspected.
final class DeliveryHarness: @unchecked Sendable {
    let database: ReportTestDatabase
    let server: EmailSMTPServer
    let client: SpoolClient
    let reports: Queue
    let mail: Queue
    let hooks: Queue
    let runner: ReportRunner
    let worker: Worker

    init(attachmentLimit: Int) throws {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_REDIS_URL"], !url.isEmpty else {
            throw TestSetupError("SPOOL_TEST_REDIS_URL is not set: run the tests with scripts/test")
        }
        database = try ReportTestDatabase("delivery")
        try database.createSignups(rows: 100)
        server = try EmailSMTPServer()
        client = SpoolClient(configuration: try RedisConfiguration(url: url), prefix: "test-delivery-\(UUID().uuidString.prefix(8).lowercased())")
        let retention = QueueRetention(keepCompletedDetails: true)
        reports = try client.queue("reports", retention: retention)
        mail = try client.queue("mail", retention: retention)
        hooks = try client.queue("hooks", retention: retention)
        let definition = try database.definition([
            "name": "plans", "sql": "SELECT id, email, note FROM signups WHERE plan = :plan ORDER BY id", "parameters": ["plan": "text"],
            "formats": ["csv", "jsonl"],
            "delivery": ["email": ["to": ["Ops <ops@example.com>"], "queue": "mail"], "webhook": ["endpoint": "analytics", "queue": "hooks"]],
        ])
        runner = ReportRunner(databaseURL: database.url, reportsRoot: database.reportsRoot, definitions: [definition], attachmentLimit: attachmentLimit)
        var configuration = server.configuration()
        configuration.defaultFrom = try EmailAddress(parsing: "Reports <reports@example.com>", field: "from")
        configuration.attachmentRoots = [ReportDelivery.attachmentRootName: database.reportsRoot]
        var logger = Logger(label: "spool.test.delivery")
        logger.logLevel = .critical
        var registry = HandlerRegistry()
        registry.register(ReportHandler(runner: runner, client: client))
        registry.register(try EmailHandler(configuration: configuration, client: client, logger: logger),
                          settings: .init(maxAttempts: 2, backoff: .fixed(.milliseconds(50))))
        var workerConfiguration = WorkerConfiguration(groups: [.init(queues: [.init(name: "reports", retention: retention),
                                                                           .init(name: "mail", retention: retention)], concurrency: 2)])
        workerConfiguration.reapInterval = .milliseconds(200)
        worker = Worker(client: client, registry: registry, configuration: workerConfiguration, logger: logger)
        try worker.start()
    }

    func stop() {
        worker.shutdown(grace: .seconds(1))
        server.stop()
        database.drop()
    }

    /// Waits until job `id` of `queue` is done or dead and returns it.
    func finished(_ id: String, in queue: Queue, within limit: Duration = .seconds(30)) throws -> Job {
        try queue.finishedJob(id, within: limit)
    }
}

/// Runs `body` with a fresh delivery harness, stopping it afterwards whatever happens.
func withDeliveryHarness<T>(attachmentLimit: Int, _ body: (DeliveryHarness) throws -> T) throws -> T {
    let harness = try DeliveryHarness(attachmentLimit: attachmentLimit)
    defer { harness.stop() }
    return try body(harness)
}
