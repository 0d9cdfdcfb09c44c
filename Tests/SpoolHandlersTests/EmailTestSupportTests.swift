import Foundation
import Logging
import Spool
import SpoolHandlers
import SpoolTestSupport
import SpoolWorker
import Testing

/// A message as smtp_inspect_messages.py reports it after parsing with Python's email package.
struct InspectedMessage: Decodable {
    struct Part: Decodable {
        let content_type: String
        let multipart: Bool?
        let charset: String?
        let cte: String?
        let filename: String?
        let disposition: String?
        let bytes: String?
        let text: String?

        var decodedBytes: [UInt8] { bytes.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? [] }
    }

    let mail_from: String
    let rcpt_tos: [String]
    let status: Int
    let auth_user: String?
    let peer_port: Int?
    let tls: Bool
    let defects: [String]
    let headers: [String: String]
    let raw_headers: [String]
    let header_names: [String]
    let date_valid: Bool
    let max_line: Int
    let bare_lf: Int
    let raw: String
    let raw_ascii: Bool
    let parts: [Part]

    var rawBytes: [UInt8] { Data(base64Encoded: raw).map { Array($0) } ?? [] }
    func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    var leafParts: [Part] { parts.filter { $0.multipart != true } }
}

/// A real SMTP server (Fixtures/smtp_test_server.py, aiosmtpd) on a free loopback port, started with
/// posix_spawn through `ChildProcess` and stopped by its pid.
final class EmailSMTPServer: @unchecked Sendable {
    static let python = "/usr/bin/python3"
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    let process: ChildProcess
    let port: Int
    let logPath: String
    let directory: String

    init(auth: String? = nil, tls: TestCertificate? = nil, implicitTLS: Bool = false) throws {
        directory = NSTemporaryDirectory() + "spool-smtp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        logPath = directory + "/messages.jsonl"
        let portFile = directory + "/port"
        var arguments = [Self.fixtures + "/smtp_test_server.py", "--log", logPath]
        if let auth { arguments += ["--auth", auth] }
        if let tls { arguments += ["--tls-cert", tls.certificatePath, "--tls-key", tls.keyPath] + (implicitTLS ? ["--smtps"] : []) }
        process = try ChildProcess(Self.python, arguments, logFile: portFile, errorFile: directory + "/stderr")
        let deadline = ContinuousClock.now + .seconds(15)
        var found: Int?
        while ContinuousClock.now < deadline, found == nil {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), text.hasSuffix("\n") {
                found = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        guard let found else {
            let errors = (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? ""
            throw TestSetupError("smtp_test_server.py did not print its port: \(errors)")
        }
        port = found
    }

    func stop() {
        process.signal()
        process.wait(timeout: .seconds(5))
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Every message received so far, parsed by Python's email package.
    func messages() throws -> [InspectedMessage] {
        guard FileManager.default.fileExists(atPath: logPath) else { return [] }
        let output = directory + "/inspect-\(UUID().uuidString).json"
        let errors = output + ".err"
        let child = try ChildProcess(Self.python, [Self.fixtures + "/smtp_inspect_messages.py", logPath], logFile: output, errorFile: errors)
        guard child.wait(timeout: .seconds(30)) != nil, child.exitCode == 0 else {
            throw TestSetupError("smtp_inspect_messages.py failed: \((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")")
        }
        return try JSONDecoder().decode([InspectedMessage].self, from: Data(contentsOf: URL(fileURLWithPath: output)))
    }

    func configuration(_ tune: (inout SMTPConfiguration) -> Void = { _ in }) -> SMTPConfiguration {
        var configuration = SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, connectTimeout: .seconds(5),
                                              timeout: .seconds(20))
        tune(&configuration)
        return configuration
    }
}

/// Redis, a worker running the email handler, and an SMTP server, torn down together.
final class EmailHarness: @unchecked Sendable {
    let server: EmailSMTPServer
    let client: SpoolClient
    let queue: Queue
    let worker: Worker
    let suppression: EmailSuppressionList
    let scratch: String

    init(auth: String? = nil, maxAttempts: Int = 3, tune: (inout SMTPConfiguration, String) -> Void = { _, _ in }) throws {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_REDIS_URL"], !url.isEmpty else {
            throw TestSetupError("SPOOL_TEST_REDIS_URL is not set: source /tmp/devenv or run scripts/test")
        }
        scratch = NSTemporaryDirectory() + "spool-email-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch + "/attachments", withIntermediateDirectories: true)
        server = try EmailSMTPServer(auth: auth)
        client = SpoolClient(configuration: try RedisConfiguration(url: url),
                             prefix: "test-email-\(UUID().uuidString.prefix(8).lowercased())")
        queue = try client.queue("mail", retention: QueueRetention(keepCompletedDetails: true))
        suppression = EmailSuppressionList(client: client)
        var configuration = server.configuration()
        configuration.defaultFrom = try EmailAddress(parsing: "Spool <noreply@example.com>", field: "from")
        configuration.attachmentsRoot = scratch + "/attachments"
        configuration.templatesDirectory = EmailSMTPServer.fixtures + "/templates"
        tune(&configuration, scratch)
        var logger = Logger(label: "spool.test.email")
        logger.logLevel = .critical
        var registry = HandlerRegistry()
        registry.register(try EmailHandler(configuration: configuration, client: client, logger: logger),
                          settings: .init(maxAttempts: maxAttempts, backoff: .fixed(.milliseconds(50))))
        var workerConfiguration = WorkerConfiguration(groups: [.init(queues: [.init(name: "mail", retention: QueueRetention(keepCompletedDetails: true))], concurrency: 2)])
        workerConfiguration.reapInterval = .milliseconds(200)
        worker = Worker(client: client, registry: registry, configuration: workerConfiguration, logger: logger)
        try worker.start()
    }

    func stop() {
        worker.shutdown(grace: .seconds(1))
        try? suppression.removeAll()
        server.stop()
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Enqueues a `spool.email` job with `json` as its payload and returns its id.
    func enqueue(_ json: String) throws -> String {
        try queue.enqueue(NewJob(kind: "spool.email", json: json)).id
    }

    /// Waits until job `id` is done or dead and returns it.
    func finished(_ id: String, within limit: Duration = .seconds(20)) throws -> Job {
        try queue.finishedJob(id, within: limit)
    }
}

extension Queue {
    /// Waits until job `id` is done or dead and returns it; throws past `limit`.
    func finishedJob(_ id: String, within limit: Duration) throws -> Job {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if let job = try job(id: id), job.state == .done || job.state == .dead { return job }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw TestSetupError("job \(id) did not finish within \(limit): \(String(describing: try job(id: id)?.state))")
    }
}

/// Runs `body` with a fresh harness, stopping it afterwards whatever happens.
func withEmailHarness<T>(auth: String? = nil, maxAttempts: Int = 3, tune: (inout SMTPConfiguration, String) -> Void = { _, _ in },
                         _ body: (EmailHarness) throws -> T) throws -> T {
    let harness = try EmailHarness(auth: auth, maxAttempts: maxAttempts, tune: tune)
    defer { harness.stop() }
    return try body(harness)
}
