import Foundation
import Logging
import Spool
@testable import SpoolOutbox
import Testing

@Suite("Outbox relay")
struct OutboxRelayTests {
    @Test("a poison row (payload over the limit, inserted by raw SQL) is marked failed and reported; the rows after it publish")
    func poisonRow() throws {
        let fixture = try OutboxFixture("poison")
        defer { fixture.close() }
        let before = try fixture.db.transaction { tx in try fixture.outbox.enqueue([testJob(1), testJob(2)], queue: "q", in: tx) }
        // What a producer in another language could write: 1 MiB + 3 bytes of valid JSON.
        try fixture.db.execute(
            "INSERT INTO \(fixture.table) (job_id, queue, kind, payload) VALUES ('poison-1', 'q', 'big', $1::json)",
            [.string("\"" + String(repeating: "x", count: (1 << 20) + 1) + "\"")])
        let after = try fixture.db.transaction { tx in try fixture.outbox.enqueue([testJob(3), testJob(4)], queue: "q", in: tx) }

        let (logger, logs) = CapturingLogHandler.logger()
        let relay = try fixture.relay(logger: logger)
        let summary = try relay.publishPending()
        #expect(summary.claimed == 5 && summary.published == 4 && summary.failed == 1 && summary.retried == 0)
        #expect(Set(try fixture.idsInRedis(queue: "q")) == Set(before + after))
        #expect(try fixture.client.queue("q").job(id: "poison-1") == nil)

        let poison = try #require(try fixture.rows().first { $0.jobID == "poison-1" })
        #expect(poison.failed && !poison.published && poison.attempts == 1)
        let expectedError = SpoolError.payloadTooLarge(queue: "q", kind: "big", bytes: (1 << 20) + 3, limit: 1 << 20)
        #expect(poison.lastError == expectedError.description)

        let status = try OutboxMigrator(connection: fixture.db, configuration: fixture.configuration).status()
        #expect(status.failed == 1 && status.published == 4 && status.unpublished == 0)
        #expect(status.recentFailures.map(\.jobID) == ["poison-1"])
        #expect(status.recentFailures.first?.error.contains("limit is 1048576 bytes") == true)
        #expect(relay.metrics.failed == 1 && relay.metrics.published == 4)
        #expect(logs.all.contains { $0.0 == .error && $0.1.contains("marked failed") })
        // Not retried: the next pass claims nothing.
        #expect(try relay.publishPending().claimed == 0)
    }

    @Test("rows with invalid options, kinds or queue names fail at once, each alone")
    func invalidRows() throws {
        let fixture = try OutboxFixture("invalid")
        defer { fixture.close() }
        try fixture.db.execute(
            """
            INSERT INTO \(fixture.table) (job_id, queue, kind, payload, options) VALUES
              ('ok-1', 'q', 'k', '{}', '{"priority": 5, "max_attempts": 3.0, "timeout_ms": "2500"}'),
              ('bad-type', 'q', 'k', '{}', '{"priority": "high"}'),
              ('bad-range', 'q', 'k', '{}', '{"priority": 100000}'),
              ('bad-key', 'q', 'k', '{}', '{"delay": 1000}'),
              ('bad-backoff', 'q', 'k', '{}', '{"backoff": "sometimes"}'),
              ('bad-queue', 'a{b}', 'k', '{}', '{}'),
              ('bad id', 'q', 'k', '{}', '{}'),
              ('bad-kind', 'q', '', '{}', '{}'),
              ('ok-2', 'other', 'k', '[1,2]', '{"unique_key": "u1", "unique_for_ms": 60000}')
            """)
        let summary = try fixture.relay().publishPending()
        #expect(summary.published == 2 && summary.failed == 7)
        let rows = try fixture.rows()
        #expect(rows.filter(\.published).map(\.jobID) == ["ok-1", "ok-2"])
        #expect(rows.filter(\.failed).allSatisfy { $0.attempts == 1 && $0.lastError != nil })
        let errors = Dictionary(uniqueKeysWithValues: rows.map { ($0.jobID, $0.lastError ?? "") })
        #expect(errors["bad-type"]?.contains("option priority must be an integer, not high") == true)
        #expect(errors["bad-range"]?.contains("priority 100000 is outside") == true)
        #expect(errors["bad-key"]?.contains("unknown option 'delay'") == true)
        #expect(errors["bad-backoff"]?.contains("backoff \"sometimes\"") == true)
        #expect(errors["bad-queue"]?.contains("may not contain braces") == true)
        #expect(errors["bad id"]?.contains("whitespace") == true)
        #expect(errors["bad-kind"]?.contains("kind must be 1–200 bytes") == true)
        let ok = try #require(try fixture.client.queue("q").job(id: "ok-1"))
        #expect(ok.priority == 5 && ok.maxAttempts == 3 && ok.timeout == .milliseconds(2500))
        let unique = try #require(try fixture.client.queue("other").job(id: "ok-2"))
        #expect(unique.uniqueKey == "u1" && unique.payloadText == "[1,2]")
    }

    @Test("a relay killed after its Redis enqueue but before COMMIT: the row is re-sent, Redis says .existing, no duplicate")
    func crashBetweenEnqueueAndCommit() throws {
        let fixture = try OutboxFixture("crash")
        defer { fixture.close() }
        let crashes = Shared(0)
        let hooks = OutboxRelayHooks(afterEnqueueBeforeCommit: { _, _ in
            let first = crashes.value.withLock { count -> Bool in
                count += 1
                return count == 1
            }
            if first { throw SimulatedCrash() }
        })
        let id = try fixture.db.transaction { tx in try fixture.outbox.enqueue(testJob(1), queue: "q", in: tx) }
        let relay = try fixture.relay(hooks: hooks)

        // First pass: enqueued to Redis, then "killed" before COMMIT → rolled back.
        #expect(throws: OutboxError.self) { try relay.publishPending() }
        #expect(try fixture.client.queue("q").job(id: id) != nil)
        #expect(try fixture.rows() == [OutboxRowState(jobID: id, queue: "q", published: false, failed: false, attempts: 0, lastError: nil)])

        // Next pass re-sends it: Redis answers .existing, the row is marked published.
        let summary = try relay.publishPending()
        #expect(summary.published == 1 && summary.alreadyInRedis == 1)
        #expect(try fixture.client.queue("q").enqueue(testJob(1, options: JobOptions(id: id))) == .existing(id: id, state: .ready))
        #expect(try fixture.idsInRedis(queue: "q") == [id])
        #expect(try fixture.enqueuedCounter(queue: "q") == 1)
        #expect(try fixture.rows().map(\.published) == [true])
        #expect(crashes.value.withLock { $0 } == 2)
    }

    @Test("the same crash on a relay running on its thread: it recovers by itself")
    func crashWhileRunning() throws {
        let fixture = try OutboxFixture("crash_running")
        defer { fixture.close() }
        let crashed = Shared(false)
        let hooks = OutboxRelayHooks(afterEnqueueBeforeCommit: { _, _ in
            if crashed.value.withLock({ done in defer { done = true }; return !done }) { throw SimulatedCrash() }
        })
        let relay = try fixture.relay(hooks: hooks)
        relay.start()
        defer { relay.stop() }
        let ids = try fixture.db.transaction { tx in try fixture.outbox.enqueue((0..<5).map { testJob($0) }, queue: "q", in: tx) }
        #expect(try eventually { try fixture.rows().allSatisfy(\.published) })
        #expect(Set(try fixture.idsInRedis(queue: "q")) == Set(ids))
        #expect(try fixture.enqueuedCounter(queue: "q") == 5)
        #expect(relay.metrics.alreadyInRedis == 5 && relay.metrics.outages == 1)
    }

    @Test("Redis unreachable: the batch rolls back, the outage is logged once, and rows publish when Redis is back")
    func redisDown() throws {
        let fixture = try OutboxFixture("redis_down")
        defer { fixture.close() }
        let ids = try fixture.db.transaction { tx in try fixture.outbox.enqueue((0..<3).map { testJob($0) }, queue: "q", in: tx) }
        let deadRedis = SpoolClient(
            configuration: try RedisConfiguration(url: "redis://127.0.0.1:\(TestDatabase.freePort())", connectTimeout: .milliseconds(200)),
            prefix: fixture.client.prefix)
        let (logger, logs) = CapturingLogHandler.logger()
        let broken = try fixture.relay(client: deadRedis, logger: logger)

        let error = #expect(throws: OutboxError.self) { try broken.publishPending() }
        guard case .redis(let spoolError)? = error, case .redis(let redisError) = spoolError, redisError.isConnectionProblem else {
            Issue.record("expected a Redis connection error, got \(String(describing: error))")
            return
        }
        #expect(try fixture.rows().allSatisfy { !$0.published && !$0.failed && $0.attempts == 0 })

        broken.start()
        #expect(eventually(timeout: .seconds(5)) { broken.metrics.outages >= 4 })
        broken.stop()
        let warnings = logs.all.filter { $0.0 == .warning && $0.1.contains("outbox relay paused") }
        #expect(warnings.count == 1, "\(logs.all)")
        #expect(try fixture.rows().allSatisfy { !$0.published && $0.attempts == 0 })

        let healthy = try fixture.relay()
        healthy.start()
        defer { healthy.stop() }
        #expect(try eventually { try fixture.rows().allSatisfy(\.published) })
        #expect(Set(try fixture.idsInRedis(queue: "q")) == Set(ids))
    }

    @Test("a job Redis keeps rejecting is retried, then marked failed after maxPublishAttempts")
    func transientThenFailed() throws {
        let fixture = try OutboxFixture("transient")
        defer { fixture.close() }
        let ids = try fixture.db.transaction { tx in
            try fixture.outbox.enqueue([testJob(1), testJob(2, options: JobOptions(id: "blocked")), testJob(3)], queue: "q", in: tx)
        }
        // A key of the wrong type where the job's hash would go: the enqueue script fails for that job only.
        let keys = QueueKeys(queue: "q", prefix: fixture.client.prefix)
        _ = try fixture.client.withConnection { (redis) throws(RedisError) in
            try redis.command("SET", RedisArgument(keys.job("blocked")), "not a hash")
        }
        let relay = try fixture.relay(maxPublishAttempts: 3)
        let first = try relay.publishPending()
        #expect(first.published == 2 && first.retried == 1 && first.failed == 0)
        #expect(try relay.publishPending().retried == 1)
        let third = try relay.publishPending()
        #expect(third.failed == 1 && third.retried == 0)
        let blocked = try #require(try fixture.rows().first { $0.jobID == "blocked" })
        #expect(blocked.failed && blocked.attempts == 3 && blocked.lastError?.contains("WRONGTYPE") == true)
        #expect(Set(try fixture.idsInRedis(queue: "q")) == Set([ids[0], ids[2]]))
        #expect(try relay.publishPending().claimed == 0)
    }

    @Test("pruning deletes only published rows older than the retention, in batches")
    func pruning() throws {
        let fixture = try OutboxFixture("prune")
        defer { fixture.close() }
        let table = fixture.table
        // 23 old published, 4 recent published, 3 old waiting, 2 old failed.
        try fixture.db.execute(
            "INSERT INTO \(table) (job_id, queue, kind, payload, created_at, published_at)"
                + " SELECT 'old-' || i, 'q', 'k', '{}', now() - interval '9 days', now() - interval '8 days' FROM generate_series(1, 23) i")
        try fixture.db.execute(
            "INSERT INTO \(table) (job_id, queue, kind, payload, published_at)"
                + " SELECT 'new-' || i, 'q', 'k', '{}', now() - interval '1 day' FROM generate_series(1, 4) i")
        try fixture.db.execute(
            "INSERT INTO \(table) (job_id, queue, kind, payload, created_at)"
                + " SELECT 'wait-' || i, 'q', 'k', '{}', now() - interval '30 days' FROM generate_series(1, 3) i")
        try fixture.db.execute(
            "INSERT INTO \(table) (job_id, queue, kind, payload, created_at, failed_at)"
                + " SELECT 'fail-' || i, 'q', 'k', '{}', now() - interval '30 days', now() - interval '29 days' FROM generate_series(1, 2) i")

        let result = try OutboxPruner(configuration: fixture.configuration).prune(
            on: fixture.db, olderThan: .seconds(7 * 86_400), batchSize: 10)
        #expect(result == OutboxPruneResult(deleted: 23, statements: 3))
        let left = try fixture.rows().map(\.jobID)
        #expect(left.filter { $0.hasPrefix("old-") }.isEmpty)
        #expect(left.filter { $0.hasPrefix("new-") }.count == 4)
        #expect(left.filter { $0.hasPrefix("wait-") }.count == 3)
        #expect(left.filter { $0.hasPrefix("fail-") }.count == 2)

        // A running relay prunes at start with its own retention (12 hours here: the 1-day-old rows go too).
        let relay = try fixture.relay(retention: .seconds(12 * 3600))
        let pruned = try relay.prune()
        #expect(pruned.deleted == 4)
        #expect(try fixture.rows().count == 5)
    }

    @Test("relay configuration is checked up front")
    func configurationChecks() throws {
        let fixture = try OutboxFixture("relay_config", migrate: false)
        defer { fixture.close() }
        for configuration in [
            OutboxRelayConfiguration(batchSize: 0), OutboxRelayConfiguration(pollInterval: .zero),
            OutboxRelayConfiguration(maxPublishAttempts: 0), OutboxRelayConfiguration(minBackoff: .seconds(2), maxBackoff: .seconds(1)),
        ] {
            #expect(throws: OutboxError.self) {
                try OutboxRelay(databaseURL: fixture.databaseURL, client: fixture.client, configuration: configuration)
            }
        }
        #expect(throws: OutboxError.self) { try OutboxRelay(databaseURL: "mysql://x", client: fixture.client) }
    }

    @Test("a missing outbox table is reported as an outage (run migrate), not a crash")
    func notMigrated() throws {
        let fixture = try OutboxFixture("relay_unmigrated", migrate: false)
        defer { fixture.close() }
        try fixture.db.execute("CREATE SCHEMA \(OutboxConfiguration.quote(fixture.configuration.schema))")
        let relay = try fixture.relay()
        let error = #expect(throws: OutboxError.self) { try relay.publishPending() }
        guard case .notMigrated(let table, found: 0, required: 1)? = error else {
            Issue.record("expected notMigrated, got \(String(describing: error))")
            return
        }
        #expect(table == fixture.configuration.qualifiedName)
        #expect(error?.description.contains("does not exist yet — run `spool outbox migrate`") == true)
        let migrator = OutboxMigrator(connection: fixture.db, configuration: fixture.configuration)
        let notCurrent = #expect(throws: OutboxError.self) { try migrator.requireCurrent() }
        #expect(notCurrent?.description.contains("spool outbox migrate") == true)
    }
}
