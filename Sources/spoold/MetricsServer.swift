import Foundation
import Logging
import Spool
import SpoolWorker

/// A minimal HTTP/1.0 server on its own thread for Prometheus scrapes (`GET /metrics`) and health checks
/// (`GET /healthz`: 200 when Redis answers and every worker thread is alive, else 503 with the reason).
final class MetricsServer: Sendable {
    let worker: Worker
    let client: SpoolClient
    let logger: Logger
    let extraMetrics: @Sendable () -> String
    private let listener: Int32

    /// Binds `host:port` (loopback by default) and starts serving.
    init(listen: String, worker: Worker, client: SpoolClient, logger: Logger,
         extraMetrics: @escaping @Sendable () -> String = { "" }) throws {
        self.worker = worker
        self.client = client
        self.logger = logger
        self.extraMetrics = extraMetrics
        let (host, port) = try Self.split(listen)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("cannot create a socket for the metrics server") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw ServerError("metrics listen address \"\(listen)\" is not an IPv4 host:port")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else {
            close(fd)
            throw ServerError("cannot listen on \(listen) for metrics: \(String(cString: strerror(errno)))")
        }
        listener = fd
        let thread = Thread { [self] in serve() }
        thread.name = "spool-metrics"
        thread.start()
        logger.info("metrics on http://\(listen)/metrics, health on /healthz")
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func split(_ listen: String) throws -> (String, Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (1...65535).contains(port) else {
            throw ServerError("metrics listen address \"\(listen)\" must be host:port, e.g. 127.0.0.1:9464")
        }
        return (String(listen[..<colon]), port)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 2048)
            let n = recv(connection, &buffer, buffer.count, 0)
            let request = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
            let path = request.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            let (status, body, type) = respond(to: path)
            let head = "HTTP/1.0 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            let bytes = Array((head + body).utf8)
            _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
            close(connection)
        }
    }

    private func respond(to path: String) -> (String, String, String) {
        switch path {
        case "/metrics":
            return ("200 OK", render(), "text/plain; version=0.0.4; charset=utf-8")
        case "/healthz":
            let redisUp = (try? client.withConnection { (redis) throws(RedisError) in try redis.command("PING") }) != nil
            let threadsOK = worker.liveWorkerThreads >= worker.configuration.totalConcurrency
            if redisUp && threadsOK && !worker.isStopping { return ("200 OK", "ok\n", "text/plain") }
            var reasons: [String] = []
            if !redisUp { reasons.append("Redis unreachable") }
            if !threadsOK { reasons.append("worker threads \(worker.liveWorkerThreads)/\(worker.configuration.totalConcurrency)") }
            if worker.isStopping { reasons.append("shutting down") }
            return ("503 Service Unavailable", reasons.joined(separator: "; ") + "\n", "text/plain")
        default:
            return ("404 Not Found", "try /metrics or /healthz\n", "text/plain")
        }
    }

    /// The worker's own metrics plus queue gauges read from Redis at scrape time.
    func render() -> String {
        var out = worker.metrics.exposition()
        out += "# HELP spool_active_leases Jobs this worker holds.\n# TYPE spool_active_leases gauge\nspool_active_leases \(worker.activeLeases)\n"
        out += "# HELP spool_workers_busy Worker threads running a job.\n# TYPE spool_workers_busy gauge\nspool_workers_busy \(worker.busyCount)\n"
        out += "# HELP spool_worker_threads Worker threads alive.\n# TYPE spool_worker_threads gauge\nspool_worker_threads \(worker.liveWorkerThreads)\n"
        var depth = "# HELP spool_queue_jobs Jobs per queue and state.\n# TYPE spool_queue_jobs gauge\n"
        var counters = "# HELP spool_queue_events_total Queue-wide counters kept in Redis (all producers and workers).\n# TYPE spool_queue_events_total counter\n"
        var oldest = "# HELP spool_queue_oldest_ready_seconds Age of the job at the head of the ready line.\n# TYPE spool_queue_oldest_ready_seconds gauge\n"
        var up = 1
        for name in worker.configuration.queueNames {
            guard let queue = try? client.queue(name), let stats = try? queue.stats() else {
                up = 0
                continue
            }
            let q = name.replacingOccurrences(of: "\"", with: "\\\"")
            for (state, value) in [("ready", stats.ready), ("scheduled", stats.scheduled), ("active", stats.active), ("dead", stats.dead), ("done", stats.doneKept)] {
                depth += "spool_queue_jobs{queue=\"\(q)\",state=\"\(state)\"} \(value)\n"
            }
            for (event, value) in [("enqueued", stats.enqueued), ("completed", stats.completed), ("failed", stats.failed),
                                   ("retried", stats.retried), ("dead", stats.buried), ("stalled", stats.stalled)] {
                counters += "spool_queue_events_total{queue=\"\(q)\",event=\"\(event)\"} \(value)\n"
            }
            let age = stats.headAge?.inSeconds ?? 0
            oldest += "spool_queue_oldest_ready_seconds{queue=\"\(q)\"} \(age)\n"
        }
        out += depth + counters + oldest
        out += "# HELP spool_redis_up Whether Redis answered this scrape.\n# TYPE spool_redis_up gauge\nspool_redis_up \(up)\n"
        out += extraMetrics()
        return out
    }
}
