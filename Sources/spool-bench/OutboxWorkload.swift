import Foundation
import Logging
import Spool
import SpoolOutbox

/// 5. Outbox: committed rows → jobs ready in Redis, through a relay on its own thread.
struct OutboxWorkload {
    let redisURL: String
    let databaseURL: String

    /// Commits `rows` rows in transactions of `perTransaction` while a relay runs; returns rows/s (first
    /// commit → last job in Redis) and commit-to-ready latencies in ms (Redis enqueue time − local commit time).
    func run(rows: Int, perTransaction: Int) throws -> (rowsPerSecond: Double, p50: Double, p99: Double) {
        let schema = "bench_outbox_\(UInt32.random(in: 0...UInt32.max))"
        let connection = try PostgresConnection(databaseURL)
        defer {
            _ = try? connection.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
            connection.close()
        }
        let configuration = try OutboxConfiguration(schema: schema)
        _ = try OutboxMigrator(connection: connection, configuration: configuration).migrate()
        let client = SpoolClient(configuration: try RedisConfiguration(url: redisURL), prefix: "bench-outbox-\(JobID.make().suffix(8))")
        let queue = try client.queue("bench")
        let relay = try OutboxRelay(databaseURL: databaseURL, client: client,
                                    configuration: OutboxRelayConfiguration(outbox: configuration, batchSize: 500),
                                    logger: quietLogger)
        relay.start()
        defer { relay.stop() }
        Thread.sleep(forTimeInterval: 0.3)
        let outbox = Outbox(configuration: configuration)
        var committedAt: [String: Double] = [:]
        let payload = Array(#"{"order":42}"#.utf8)
        var made = 0
        while made < rows {
            let count = min(perTransaction, rows - made)
            let ids = (0..<count).map { "o\(made + $0)" }
            try connection.transaction { tx in
                _ = try outbox.enqueue(ids.map { NewJob(kind: "bench", validatedJSON: payload, options: JobOptions(id: $0)) }, queue: "bench", in: tx)
            }
            let now = Date().timeIntervalSince1970
            for id in ids { committedAt[id] = now }
            made += count
        }
        let firstCommit = committedAt.values.min() ?? 0
        let deadline = Date().addingTimeInterval(60)
        while try queue.stats().ready < rows && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        var latencies: [Double] = []
        var lastReady = firstCommit
        var cursor: String?
        repeat {
            let page = try queue.list(state: .ready, limit: 1000, cursor: cursor)
            for job in page.jobs {
                guard let created = job.createdAt?.timeIntervalSince1970, let committed = committedAt[job.id] else { continue }
                latencies.append(max(0, created - committed) * 1000)
                lastReady = max(lastReady, created)
            }
            cursor = page.nextCursor
        } while cursor != nil
        for state in JobState.allCases { _ = try queue.purge(state: state) }
        return (Double(latencies.count) / max(0.001, lastReady - firstCommit), percentile(latencies, 0.5), percentile(latencies, 0.99))
    }
}
