import SpoolTestSupport
import Foundation
import Spool
import Testing

@Suite("spoold, the real daemon binary")
struct DaemonTests {
    static func yaml(concurrency: Int = 20, lease: String = "30s", grace: String = "25s") -> String {
        """
        worker:
          lease: \(lease)
          shutdown_grace: \(grace)
          reap_interval: 300ms
          heartbeat_interval: 1s
        queues:
          - name: q
            concurrency: \(concurrency)
        """
    }

    @Test("kill -9 at a random moment loses nothing: every one of 2,000 jobs completes")
    func crashSafety() throws {
        let harness = try DaemonHarness("crash", yaml: Self.yaml(concurrency: 20, lease: "2s"))
        let client = try harness.client()
        let queue = try client.queue("q")
        let ids = (0..<2000).map { "job-\($0)" }
        _ = try queue.enqueue(ids.enumerated().map { index, id in
            NewJob(kind: "spool.sleep", validatedJSON: Array("{\"ms\":\(10 + index % 30)}".utf8), options: JobOptions(id: id))
        })
        let first = try harness.start()
        // Kill at a random point of the run: once a random share (10–70 %) of the jobs has completed.
        let threshold = Int.random(in: 200...1400)
        _ = try DaemonHarness.eventually(.seconds(30)) { try queue.stats().completed >= threshold }
        let completedBefore = try queue.stats().completed
        first.signal(SIGKILL)
        first.wait()
        #expect(completedBefore < 2000, "the kill came after everything finished; nothing was tested")
        let second = try harness.start()
        defer { second.signal(SIGKILL); second.wait() }
        #expect(try DaemonHarness.eventually(.seconds(60)) { try queue.stats().completed >= 2000 }, "log: \(harness.log)")
        let stats = try queue.stats()
        #expect(stats.completed == 2000 && stats.ready == 0 && stats.active == 0 && stats.dead == 0)
        var done = Set<String>()
        var cursor: String?
        repeat {
            let page = try queue.list(state: .done, limit: 1000, cursor: cursor)
            done.formUnion(page.jobs.map(\.id))
            cursor = page.nextCursor
        } while cursor != nil
        #expect(done == Set(ids))
    }

    @Test("SIGTERM: short jobs finish, long ones are back in ready at once, exit 0 within the grace period")
    func sigterm() throws {
        let harness = try DaemonHarness("term", yaml: Self.yaml(concurrency: 6, grace: "2s"))
        let client = try harness.client()
        let queue = try client.queue("q")
        let short = try queue.enqueue((0..<3).map { _ in NewJob(kind: "spool.sleep", validatedJSON: Array(#"{"ms":500}"#.utf8)) }).map(\.id)
        let long = try queue.enqueue((0..<3).map { _ in NewJob(kind: "spool.sleep", validatedJSON: Array(#"{"ms":120000}"#.utf8)) }).map(\.id)
        let daemon = try harness.start()
        #expect(try DaemonHarness.eventually { try queue.stats().active == 6 })
        let signalled = ContinuousClock.now
        daemon.signal(SIGTERM)
        let status = daemon.wait(timeout: .seconds(10))
        let took = ContinuousClock.now - signalled
        #expect(status != nil && daemon.exitCode == 0, "exit status \(String(describing: status)); log: \(harness.log)")
        #expect(took < .milliseconds(3500), "took \(took)")
        for id in short { #expect(try queue.job(id: id)?.state == .done) }
        for id in long { #expect(try queue.job(id: id)?.state == .ready) }
        #expect(try queue.stats().active == 0)
    }

    @Test("sd_notify: READY=1, WATCHDOG=1 and STOPPING=1 at the right moments")
    func systemdNotify() throws {
        let harness = try DaemonHarness("notify", yaml: Self.yaml(concurrency: 2))
        let socketPath = harness.directory.appendingPathComponent("notify.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in socketPath.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func receive(for limit: Duration) -> [String] {
            var messages: [String] = []
            let end = ContinuousClock.now + limit
            var buffer = [UInt8](repeating: 0, count: 4096)
            while ContinuousClock.now < end {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 { messages.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
            }
            return messages
        }
        let daemon = try harness.start(extraEnvironment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "200000"])
        let startup = receive(for: .seconds(3))
        #expect(startup.first?.hasPrefix("READY=1") == true, "\(startup)")
        #expect(startup.filter { $0 == "WATCHDOG=1" }.count >= 5, "\(startup)")
        #expect(!startup.contains { $0.contains("STOPPING=1") })
        daemon.signal(SIGTERM)
        let stopping = receive(for: .seconds(1))
        #expect(stopping.contains { $0.hasPrefix("STOPPING=1") }, "\(stopping)")
        #expect(daemon.wait(timeout: .seconds(10)) != nil && daemon.exitCode == 0)
    }

    @Test("a bad configuration fails at start naming the file, the key and the problem")
    func badConfiguration() throws {
        let harness = try DaemonHarness("badconf", yaml: """
        queues:
          - name: q
            concurrency: ten
        """)
        let daemon = try harness.start()
        #expect(daemon.wait(timeout: .seconds(10)) != nil)
        #expect(daemon.exitCode == 2)
        #expect(harness.log.contains("\(harness.configPath): queues[0].concurrency: expected a whole number ≥ 1, got \"ten\""), "\(harness.log)")
    }
}

@Suite("spoold configuration")
struct DaemonConfigurationTests {
    /// The repository root (the tests run from the package directory).
    static var repositoryRoot: String { FileManager.default.currentDirectoryPath }

    @Test("the demo configuration in jobs/ passes --check with every built-in handler registered")
    func demoConfiguration() throws {
        let harness = try DaemonHarness("democheck", yaml: "queues: [{name: q}]")
        let config = Self.repositoryRoot + "/jobs/spool.yaml"
        var environment = ProcessInfo.processInfo.environment
        environment["SPOOL_DEMO_WEBHOOK_SECRET"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        environment["SPOOL_DATABASE_URL"] = "postgres://postgres@127.0.0.1:1/unused"
        let check = try ChildProcess(try DaemonHarness.binary(), ["--config", config, "--check"], environment: environment, logFile: harness.logPath)
        #expect(check.wait(timeout: .seconds(30)) != nil)
        #expect(check.exitCode == 0, "\(harness.log)")
        for kind in ["spool.email", "spool.file", "spool.noop", "spool.report", "spool.sleep", "spool.webhook"] {
            #expect(harness.log.contains(kind), "\(kind) missing: \(harness.log)")
        }
    }

    @Test("a bad handler section fails at start naming the file, the key and the problem")
    func badHandlerSection() throws {
        let harness = try DaemonHarness("badhandler", yaml: """
        queues: [{name: q}]
        handlers:
          files:
            source_root: /definitely/not/here
            destination_root: /tmp
            bogus: 1
        """)
        let daemon = try harness.start()
        #expect(daemon.wait(timeout: .seconds(10)) != nil)
        #expect(daemon.exitCode == 2)
        #expect(harness.log.contains(harness.configPath) && harness.log.contains("handlers.files"), "\(harness.log)")
    }

    @Test("report deliveries are checked at start: an unknown webhook endpoint is refused, a handler run elsewhere is a warning")
    func reportDeliveryChecks() throws {
        func harness(_ label: String, delivery: String, webhook: Bool) throws -> (DaemonHarness, String) {
            let reports = FileManager.default.temporaryDirectory.appendingPathComponent("spoold-reports-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: reports.appendingPathComponent("defs"), withIntermediateDirectories: true)
            let definition = reports.appendingPathComponent("defs/r.yaml").path
            try "name: r\nsql: SELECT 1 AS one\ndelivery:\n\(delivery)\n".write(toFile: definition, atomically: true, encoding: .utf8)
            let hooks = webhook ? """
              webhook:
                endpoints:
                  - {name: known, url: "https://hooks.example.com/in", secrets: [env:HOOK_SECRET]}
            """ : ""
            return (try DaemonHarness(label, yaml: """
            queues: [{name: q}]
            handlers:
              reports:
                root: \(reports.path)/out
                definitions: \(reports.path)/defs
                database_url: postgres://postgres@127.0.0.1:1/unused
            \(hooks)
            """), definition)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["HOOK_SECRET"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        environment["SPOOL_DATABASE_URL"] = nil

        let (refused, definition) = try harness("badhook", delivery: "  webhook: {endpoint: unknown}", webhook: true)
        let check = try ChildProcess(try DaemonHarness.binary(), ["--config", refused.configPath, "--check"], environment: environment, logFile: refused.logPath)
        #expect(check.wait(timeout: .seconds(30)) != nil)
        #expect(check.exitCode == 2)
        #expect(refused.log.contains("\(definition): delivery.webhook.endpoint: no endpoint named \"unknown\" in handlers.webhook.endpoints (known: known)"),
                "\(refused.log)")

        let (warned, _) = try harness("elsewhere", delivery: "  email: {to: [ops@example.com]}\n  webhook: {endpoint: known}", webhook: true)
        let daemon = try ChildProcess(try DaemonHarness.binary(), ["--config", warned.configPath, "--check"], environment: environment, logFile: warned.logPath)
        #expect(daemon.wait(timeout: .seconds(30)) != nil)
        #expect(daemon.exitCode == 0, "\(warned.log)")
        #expect(warned.log.contains("report r is delivered by email, but handlers.email is not configured here"), "\(warned.log)")
        #expect(!warned.log.contains("notifies webhook endpoint"), "\(warned.log)")
    }

    @Test("a file job runs through the daemon's configured spool.file handler")
    func fileJobThroughDaemon() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spoold-files-\(UUID().uuidString.prefix(8))")
        let input = root.appendingPathComponent("in")
        let output = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("a,b\n1,\"x\ny\"\n".utf8).write(to: input.appendingPathComponent("t.csv"))
        let harness = try DaemonHarness("filejob", yaml: """
        queues: [{name: q, concurrency: 1}]
        handlers:
          files:
            source_root: \(input.path)
            destination_root: \(output.path)
            allowed_types: [csv]
        """)
        let queue = try harness.client().queue("q")
        let id = try queue.enqueue(NewJob(kind: "spool.file", json: #"{"source":"t.csv","steps":["verify","csv-to-jsonl","copy"],"destination":"t.jsonl"}"#)).id
        let daemon = try harness.start()
        defer { daemon.signal(SIGKILL); daemon.wait() }
        #expect(try DaemonHarness.eventually { try queue.stats().completed == 1 }, "log: \(harness.log)")
        let text = try String(contentsOf: output.appendingPathComponent("t.jsonl"), encoding: .utf8)
        #expect(text == "{\"a\":\"1\",\"b\":\"x\\ny\"}\n", "\(text)")
        _ = id
    }
}
