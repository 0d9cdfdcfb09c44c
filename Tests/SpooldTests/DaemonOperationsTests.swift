import Foundation
import Spool
import SpoolTestSupport
import Testing

@Suite("spoold operations: metrics, health, outages, idle cost, cron")
struct DaemonOperationsTests {
    /// Fetches `path` from 127.0.0.1:`port` with a plain socket; returns (status line, body).
    static func httpGet(port: Int, path: String) -> (String, String)? {
        guard let socket = LoopbackSocket(port: port) else { return nil }
        defer { socket.close() }
        let fd = socket.fd
        let request = Array("GET \(path) HTTP/1.0\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, request.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let status = text[..<split.lowerBound].split(separator: "\r\n").first.map(String.init) ?? ""
        return (status, String(text[split.upperBound...]))
    }

    /// Parses Prometheus text exposition strictly enough to catch malformed lines: returns series → value.
    static func parsePrometheus(_ text: String) throws -> [String: Double] {
        var series: [String: Double] = [:]
        let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
        let labels = #"(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})?"#
        let sample = try Regex("^(\(name)\(labels)) (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)$")
        let comment = try Regex(#"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$"#)
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") {
                guard line.wholeMatch(of: comment) != nil else { throw TestSetupError("bad comment line: \(line)") }
                continue
            }
            guard let match = line.wholeMatch(of: sample), let key = match.output[1].substring,
                  let valueText = match.output[match.output.count - 1].substring, let value = Double(valueText) else {
                throw TestSetupError("bad sample line: \(line)")
            }
            series[String(key)] = value
        }
        return series
    }

    @Test("/metrics parses as Prometheus text and its counters match the jobs run; /healthz reports health")
    func metricsAndHealth() throws {
        let port = try freeLoopbackPort()
        let harness = try DaemonHarness("metrics", yaml: """
        metrics:
          listen: 127.0.0.1:\(port)
        worker:
          default_max_attempts: 1
        queues:
          - name: q
            concurrency: 4
        """)
        let queue = try harness.client().queue("q")
        _ = try queue.enqueue((0..<50).map { _ in NewJob(kind: "spool.noop", validatedJSON: Array("{}".utf8)) })
        _ = try queue.enqueue((0..<7).map { _ in NewJob(kind: "spool.sleep", validatedJSON: Array(#"{"bad":1}"#.utf8)) })
        let daemon = try harness.start()
        defer { daemon.signal(SIGKILL); daemon.wait() }
        #expect(try DaemonHarness.eventually { try queue.stats().completed == 50 && queue.stats().dead == 7 })
        // A worker counts an outcome just after Redis has it, so the last one may reach /metrics a moment after
        // the queue's stats: read until both outcome counters are in, then check everything.
        var metrics: [String: Double] = [:]
        #expect(try DaemonHarness.eventually {
            guard let (status, body) = Self.httpGet(port: port, path: "/metrics"), status.contains("200") else { return false }
            metrics = try Self.parsePrometheus(body)
            return metrics[#"spool_jobs_processed_total{queue="q",kind="spool.noop",outcome="completed"}"#] ?? 0 >= 50
                && metrics[#"spool_jobs_processed_total{queue="q",kind="spool.sleep",outcome="dead"}"#] ?? 0 >= 7
        })
        #expect(metrics[#"spool_jobs_processed_total{queue="q",kind="spool.noop",outcome="completed"}"#] == 50)
        #expect(metrics[#"spool_jobs_processed_total{queue="q",kind="spool.sleep",outcome="dead"}"#] == 7)
        #expect(metrics[#"spool_job_run_seconds_count{queue="q",kind="spool.noop"}"#] == 50)
        #expect(metrics[#"spool_job_wait_seconds_bucket{queue="q",kind="spool.noop",le="+Inf"}"#] == 50)
        #expect(metrics[#"spool_queue_events_total{queue="q",event="enqueued"}"#] == 57)
        #expect(metrics[#"spool_queue_jobs{queue="q",state="dead"}"#] == 7)
        #expect(metrics["spool_worker_threads"] == 4)
        #expect(metrics["spool_redis_up"] == 1)
        let health = Self.httpGet(port: port, path: "/healthz")
        #expect(health?.0.contains("200") == true && health?.1 == "ok\n")
    }

    @Test("Redis restarted under load: the daemon keeps going, nothing is lost, one log line per outage")
    func redisRestart() throws {
        let server = try PrivateRedisServer()
        let harness = try DaemonHarness("outage", yaml: """
        worker:
          lease: 3s
          reap_interval: 300ms
        queues:
          - name: q
            concurrency: 8
        """, redisURL: server.url)
        let queue = try harness.client().queue("q")
        let daemon = try harness.start()
        defer { daemon.signal(SIGKILL); daemon.wait() }
        // Enqueue while the daemon works; restart Redis (with its data: SAVE, then restart loads the dump) mid-way.
        _ = try queue.enqueue((0..<300).map { NewJob(kind: "spool.sleep", validatedJSON: Array("{\"ms\":\(1 + $0 % 5)}".utf8), options: JobOptions(id: "a\($0)")) })
        Thread.sleep(forTimeInterval: 0.3)
        try server.restartKeepingData()
        Thread.sleep(forTimeInterval: 0.5)
        _ = try queue.enqueue((0..<300).map { NewJob(kind: "spool.sleep", validatedJSON: Array("{\"ms\":\(1 + $0 % 5)}".utf8), options: JobOptions(id: "b\($0)")) })
        #expect(try DaemonHarness.eventually(.seconds(30)) { try queue.stats().ready == 0 && queue.stats().active == 0 && queue.stats().scheduled == 0 },
                "log: \(harness.log)")
        // Every enqueued job finished (completed once), none lost.
        var done = Set<String>()
        var cursor: String?
        repeat {
            let page = try queue.list(state: .done, limit: 1000, cursor: cursor)
            done.formUnion(page.jobs.map(\.id))
            cursor = page.nextCursor
        } while cursor != nil
        let expected = Set((0..<300).map { "a\($0)" } + (0..<300).map { "b\($0)" })
        #expect(expected.isSubset(of: done), "missing: \(expected.subtracting(done).sorted().prefix(10))")
        #expect(try queue.stats().dead == 0)
        let outageLines = harness.log.split(separator: "\n").filter { $0.contains("Redis unreachable") }
        #expect(outageLines.count == 1, "outage lines: \(outageLines)")
        #expect(harness.log.contains("Redis reachable again"))
    }

    @Test("an idle daemon uses ~0 % CPU and a handful of Redis calls per second")
    func idleCost() throws {
        let server = try PrivateRedisServer()
        let harness = try DaemonHarness("idle", yaml: """
        queues:
          - name: a
            concurrency: 10
          - name: b
            concurrency: 10
        """, redisURL: server.url)
        let daemon = try harness.start()
        defer { daemon.signal(SIGKILL); daemon.wait() }
        let admin = try RedisConnection(url: server.url)
        #expect(try DaemonHarness.eventually { (try admin.command("HLEN", RedisArgument(harness.prefix + ":workers")).int ?? 0) == 1 })
        Thread.sleep(forTimeInterval: 1)
        func totalCalls() throws -> Int {
            let info = try admin.command("INFO", "stats").string ?? ""
            let line = info.split(separator: "\r\n").first { $0.hasPrefix("total_commands_processed:") }
            return Int(line?.split(separator: ":").last ?? "") ?? 0
        }
        func cpuTicks() -> Int {
            let stat = (try? String(contentsOfFile: "/proc/\(daemon.pid)/stat", encoding: .utf8)) ?? ""
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 13 ? (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) : 0
        }
        let calls0 = try totalCalls()
        let cpu0 = cpuTicks()
        let window = 5.0
        Thread.sleep(forTimeInterval: window)
        let callsPerSecond = Double(try totalCalls() - calls0 - 2) / window
        let cpuPercent = Double(cpuTicks() - cpu0) / Double(sysconf(Int32(_SC_CLK_TCK))) / window * 100
        print("idle daemon: \(callsPerSecond) Redis calls/s, \(cpuPercent) % CPU")
        #expect(callsPerSecond <= 5, "\(callsPerSecond) calls/s")
        #expect(cpuPercent < 2, "\(cpuPercent) % CPU")
    }

    @Test("cron schedules from the configuration fire through the daemon")
    func cronFromConfiguration() throws {
        let harness = try DaemonHarness("cron", yaml: """
        cron:
          - name: every-second
            expression: "* * * * * *"
            queue: q
            kind: spool.noop
            payload: {"from": "cron"}
        queues:
          - name: q
            concurrency: 2
        """)
        let queue = try harness.client().queue("q")
        let daemon = try harness.start()
        defer { daemon.signal(SIGKILL); daemon.wait() }
        #expect(try DaemonHarness.eventually(.seconds(10)) { try queue.stats().completed >= 2 }, "log: \(harness.log)")
        let page = try queue.list(state: .done, limit: 10)
        #expect(page.jobs.allSatisfy { $0.id.hasPrefix("cron:every-second:") })
    }
}
