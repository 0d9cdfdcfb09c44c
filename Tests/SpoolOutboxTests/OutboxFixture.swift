import Foundation
import Logging
import Spool
@testable import SpoolOutbox
import Synchronization
import Testing

/// One outbox test's world: a fresh Postgres schema with the outbox migrated into it, and a Redis key
/// namespace of its own, so outbox tests run in parallel without seeing each other. `close()` drops both.
final class OutboxFixture: Sendable {
    let databaseURL: String
    let redisURL: String
    let configuration: OutboxConfiguration
    let outbox: Outbox
    let client: SpoolClient
    /// An admin connection for setup and checks (never inside a producer transaction).
    let db: PostgresConnection

    /// Creates the schema `outbox_<label>_<random>` (and the table `table`) and the Redis namespace.
    init(_ label: String, table: String = "spool_outbox", maxPayloadBytes: Int = 1 << 20, migrate: Bool = true) throws {
        databaseURL = try TestDatabase.url()
        redisURL = try OutboxFixture.redisURL()
        configuration = try OutboxConfiguration(schema: TestDatabase.uniqueName("outbox_\(label)"), table: table)
        outbox = Outbox(configuration: configuration)
        client = SpoolClient(
            configuration: try RedisConfiguration(url: redisURL),
            prefix: "test-outbox-\(label)-\(UUID().uuidString.prefix(8).lowercased())", maxPayloadBytes: maxPayloadBytes)
        db = try TestDatabase.connect()
        if migrate { try OutboxMigrator(connection: db, configuration: configuration).migrate() }
    }

    /// The test Redis from `SPOOL_TEST_REDIS_URL`; a missing variable fails the test (never skips it).
    static func redisURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_REDIS_URL"], !url.isEmpty else {
            throw MissingRedis()
        }
        return url
    }

    struct MissingRedis: Error, CustomStringConvertible {
        var description: String {
            "SPOOL_TEST_REDIS_URL is not set — run the tests with scripts/test, which starts a throwaway Redis"
        }
    }

    /// Drops the schema and deletes the namespace's Redis keys.
    func close() {
        _ = try? db.execute("DROP SCHEMA \(OutboxConfiguration.quote(configuration.schema)) CASCADE")
        db.close()
        var cursor = "0"
        repeat {
            guard let reply = try? client.withConnection({ (redis) throws(RedisError) in
                try redis.command("SCAN", RedisArgument(cursor), "MATCH", RedisArgument(client.prefix + "*"), "COUNT", "1000")
            }), let items = reply.array, items.count == 2 else { return }
            cursor = items[0].string ?? "0"
            let keys = (items[1].array ?? []).compactMap(\.string)
            if !keys.isEmpty {
                _ = try? client.withConnection { (redis) throws(RedisError) in
                    try redis.command([RedisArgument("UNLINK")] + keys.map { RedisArgument($0) })
                }
            }
        } while cursor != "0"
    }

    /// A logger for relays whose failures a test provokes on purpose (critical messages only).
    static var silentLogger: Logger {
        var logger = Logger(label: "spool.test.outbox")
        logger.logLevel = .critical
        return logger
    }

    /// The table as written in SQL.
    var table: String { configuration.quotedTable }

    /// A relay for this outbox with test-friendly timing (fast backoff, 250 ms safety poll).
    func relay(
        batchSize: Int = 100, pollInterval: Duration = .milliseconds(250), maxPublishAttempts: Int = 5,
        retention: Duration = .seconds(7 * 86_400), client: SpoolClient? = nil, databaseURL: String? = nil,
        logger: Logger = OutboxFixture.silentLogger, hooks: OutboxRelayHooks = OutboxRelayHooks()
    ) throws -> OutboxRelay {
        try OutboxRelay(
            databaseURL: databaseURL ?? self.databaseURL, client: client ?? self.client,
            configuration: OutboxRelayConfiguration(
                outbox: configuration, batchSize: batchSize, pollInterval: pollInterval,
                maxPublishAttempts: maxPublishAttempts, retention: retention, minBackoff: .milliseconds(20),
                maxBackoff: .milliseconds(200)),
            logger: logger, hooks: hooks)
    }

    /// Every job id in `queue`'s ready and delayed sets.
    func idsInRedis(queue: String) throws -> [String] {
        let keys = QueueKeys(queue: queue, prefix: client.prefix)
        return try client.withConnection { (redis) throws(RedisError) in
            let ready = try redis.command("ZRANGE", RedisArgument(keys.ready), "0", "-1").array ?? []
            let delayed = try redis.command("ZRANGE", RedisArgument(keys.delayed), "0", "-1").array ?? []
            return (ready + delayed).compactMap(\.string)
        }
    }

    /// How many jobs `queue` has ever created (its `enqueued` counter): a re-sent job does not count.
    func enqueuedCounter(queue: String) throws -> Int {
        let keys = QueueKeys(queue: queue, prefix: client.prefix)
        return try client.withConnection { (redis) throws(RedisError) in
            try redis.command("HGET", RedisArgument(keys.meta), "enqueued").int ?? 0
        }
    }

    /// The rows as (job_id, published?, failed?, attempts, last_error).
    func rows() throws -> [OutboxRowState] {
        try db.query(
            "SELECT job_id, queue, published_at IS NOT NULL AS published, failed_at IS NOT NULL AS failed,"
                + " publish_attempts, last_error FROM \(table) ORDER BY seq"
        ).rows.map { row in
            OutboxRowState(
                jobID: try row.string("job_id") ?? "", queue: try row.string("queue") ?? "",
                published: try row.bool("published") ?? false, failed: try row.bool("failed") ?? false,
                attempts: try row.int("publish_attempts") ?? 0, lastError: try row.string("last_error"))
        }
    }
}

/// One outbox row as the tests look at it.
struct OutboxRowState: Sendable, Equatable {
    var jobID: String
    var queue: String
    var published: Bool
    var failed: Bool
    var attempts: Int
    var lastError: String?
}

/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(10), interval: TimeInterval = 0.001, _ condition: () throws -> Bool
) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return try condition()
}

/// The error a test hook throws to abort a relay's transaction, as a crash would.
struct SimulatedCrash: Error, CustomStringConvertible {
    var description: String { "simulated relay crash between the Redis enqueue and the COMMIT" }
}

/// A test job with payload `{"n": n}`.
func testJob(_ n: Int, kind: String = "test.outbox", options: JobOptions = JobOptions()) -> NewJob {
    NewJob(kind: kind, validatedJSON: Array("{\"n\":\(n)}".utf8), options: options)
}

/// p-th percentile (0…100) of `values`, by nearest rank.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

/// The error `body` throws, or nil.
func outboxError(_ body: () throws(OutboxError) -> Void) -> OutboxError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
