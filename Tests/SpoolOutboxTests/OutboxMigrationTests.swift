import Foundation
import Spool
@testable import SpoolOutbox
import Testing

@Suite("Outbox schema migrations")
struct OutboxMigrationTests {
    @Test("migrate creates table, indexes and trigger; running it again changes nothing")
    func idempotent() throws {
        let fixture = try OutboxFixture("migrate", migrate: false)
        defer { fixture.close() }
        let migrator = OutboxMigrator(connection: fixture.db, configuration: fixture.configuration)
        #expect(try migrator.version() == 0)
        #expect(try migrator.status().version == 0)

        let first = try migrator.migrate()
        #expect(first == OutboxMigrationResult(from: 0, to: OutboxMigrator.latestVersion, applied: [1]))
        let second = try migrator.migrate()
        #expect(second == OutboxMigrationResult(from: 1, to: 1, applied: []))
        #expect(try migrator.version() == 1)
        try migrator.requireCurrent()

        let schema = fixture.configuration.schema
        let columns = try fixture.db.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
            [.string(schema), "spool_outbox"]
        ).rows.map { try $0.string(0) ?? "" }
        #expect(
            columns == [
                "seq", "job_id", "queue", "kind", "payload", "options", "created_at", "published_at", "failed_at",
                "publish_attempts", "last_error",
            ])
        let indexes = try fixture.db.query(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname", [.string(schema)]
        ).rows.map { (try $0.string(0) ?? "", try $0.string(1) ?? "") }
        #expect(indexes.map(\.0) == [
            "spool_outbox_failed_idx", "spool_outbox_job", "spool_outbox_migrations_pkey", "spool_outbox_pkey",
            "spool_outbox_published_idx",
            "spool_outbox_unpublished_idx",
        ])
        let unpublished = try #require(indexes.first { $0.0 == "spool_outbox_unpublished_idx" }?.1)
        #expect(unpublished.contains("(seq)") && unpublished.contains("WHERE ((published_at IS NULL) AND (failed_at IS NULL))"))
        let triggers = try fixture.db.query(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = $1 AND NOT t.tgisinternal", [.string(schema)]
        ).int(0, 0)
        #expect(triggers == 1)
        let versions = try fixture.db.query(
            "SELECT version FROM \(OutboxConfiguration.quote(schema)).spool_outbox_migrations ORDER BY version"
        ).rows.map { try $0.int(0) ?? 0 }
        #expect(versions == [1])
    }

    @Test("two migrators racing: one applies, the other finds the schema current")
    func concurrent() throws {
        let fixture = try OutboxFixture("migrate_race", migrate: false)
        defer { fixture.close() }
        let results = Shared<[Result<OutboxMigrationResult, OutboxError>]>([])
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<3 {
            let configuration = fixture.configuration
            Thread.detachNewThread {
                defer { done.signal() }
                do {
                    let connection = try TestDatabase.connect()
                    defer { connection.close() }
                    let result = Result { () throws(OutboxError) in
                        try OutboxMigrator(connection: connection, configuration: configuration).migrate()
                    }
                    results.value.withLock { $0.append(result) }
                } catch {
                    Issue.record("connect failed: \(error)")
                }
            }
        }
        for _ in 0..<3 { done.wait() }
        let applied = try results.value.withLock { $0 }.map { try $0.get().applied }
        #expect(applied.sorted { $0.count < $1.count } == [[], [], [1]])
    }

    @Test("a schema newer than the code is refused with a clear error, and left alone")
    func refusesNewer() throws {
        let fixture = try OutboxFixture("migrate_newer")
        defer { fixture.close() }
        let migrator = OutboxMigrator(connection: fixture.db, configuration: fixture.configuration)
        let migrations = "\(OutboxConfiguration.quote(fixture.configuration.schema)).spool_outbox_migrations"
        try fixture.db.execute("INSERT INTO \(migrations) (version, description) VALUES (7, 'from the future')")
        let error = #expect(throws: OutboxError.self) { try migrator.migrate() }
        guard case .schemaTooNew(let table, let found, let supported)? = error else {
            Issue.record("expected schemaTooNew, got \(String(describing: error))")
            return
        }
        #expect(table == fixture.configuration.qualifiedName)
        #expect(found == 7 && supported == OutboxMigrator.latestVersion)
        let message = error?.description ?? ""
        #expect(message.contains("schema version 7") && message.contains("upgrade Spool"), "\(message)")
        #expect(!message.contains("\n"))
        #expect(throws: OutboxError.self) { try migrator.requireCurrent() }
        #expect(try migrator.status().version == 7)
        #expect(try fixture.db.query("SELECT count(*) FROM \(migrations)").int(0, 0) == 2)
    }

    @Test("a custom schema and a mixed-case table name work end to end (names are quoted)")
    func customNames() throws {
        let fixture = try OutboxFixture("Custom", table: "Job_Outbox", migrate: false)
        defer { fixture.close() }
        let schema = fixture.configuration.schema
        #expect(schema.hasPrefix("outbox_Custom_"))
        #expect(fixture.configuration.channel == "\(schema).Job_Outbox")
        let db = fixture.db
        let migrator = OutboxMigrator(connection: db, configuration: fixture.configuration)
        #expect(try migrator.migrate().applied == [1])
        #expect(try migrator.migrate().applied == [])
        for name in ["Job_Outbox", "Job_Outbox_migrations"] {
            let exists = try db.query("SELECT to_regclass($1) IS NOT NULL", [.string("\"\(schema)\".\"\(name)\"")]).bool(0, 0)
            #expect(exists == true, "\(name)")
        }

        // Enqueue, relay and status all use the custom names (and the derived channel wakes the relay).
        let id = try db.transaction { tx in try fixture.outbox.enqueue(testJob(1), queue: "custom", in: tx) }
        let relay = try fixture.relay(pollInterval: .seconds(30))
        relay.start()
        defer { relay.stop() }
        let queue = try fixture.client.queue("custom")
        #expect(try eventually { try queue.job(id: id) != nil })
        #expect(try eventually { try migrator.status().published == 1 })
        let status = try migrator.status()
        #expect(status.table == "\(schema).Job_Outbox")
        #expect(status.published == 1 && status.unpublished == 0 && status.isCurrent)
        // Woken by NOTIFY on the derived channel, not by the 30 s poll.
        let second = try db.transaction { tx in try fixture.outbox.enqueue(testJob(2), queue: "custom", in: tx) }
        #expect(try eventually(timeout: .seconds(5)) { try queue.job(id: second) != nil })
    }

    @Test("names that are not plain identifiers are rejected before any SQL is built")
    func invalidNames() throws {
        for (schema, table) in [("public", "x; DROP TABLE y"), ("a\"b", "t"), ("", "t"), ("s", "1abc"), ("s", String(repeating: "t", count: 41))] {
            let error = #expect(throws: OutboxError.self) { try OutboxConfiguration(schema: schema, table: table) }
            guard case .invalidConfiguration? = error else {
                Issue.record("expected invalidConfiguration for \(schema).\(table), got \(String(describing: error))")
                continue
            }
        }
        #expect(throws: OutboxError.self) { try OutboxConfiguration(maxPayloadBytes: 0) }
        #expect(OutboxConfiguration.standard.channel == "spool_outbox")
        #expect(try OutboxConfiguration().channel == "spool_outbox")
    }

    @Test("status counts waiting, retrying, published and failed rows and reports the oldest wait")
    func status() throws {
        let fixture = try OutboxFixture("status")
        defer { fixture.close() }
        let table = fixture.table
        try fixture.db.execute(
            """
            INSERT INTO \(table) (job_id, queue, kind, payload, created_at, published_at, failed_at, publish_attempts, last_error)
            VALUES ('w1', 'q', 'k', '{}', now() - interval '90 seconds', NULL, NULL, 0, NULL),
                   ('w2', 'q', 'k', '{}', now() - interval '10 seconds', NULL, NULL, 2, 'Redis said no'),
                   ('p1', 'q', 'k', '{}', now(), now(), NULL, 1, NULL),
                   ('f1', 'q', 'k', '{}', now(), NULL, now() - interval '1 minute', 1, 'older failure'),
                   ('f2', 'q2', 'k2', '{}', now(), NULL, now(), 3, 'newest failure')
            """)
        let status = try OutboxMigrator(connection: fixture.db, configuration: fixture.configuration).status(failureLimit: 1)
        #expect(status.version == 1 && status.latestVersion == 1)
        #expect(status.unpublished == 2 && status.retrying == 1 && status.published == 1 && status.failed == 2)
        let age = try #require(status.oldestUnpublishedAge)
        #expect(age >= .seconds(89) && age < .seconds(120))
        #expect(status.recentFailures.map(\.jobID) == ["f2"])
        #expect(status.recentFailures.first?.error == "newest failure")
        #expect(status.recentFailures.first?.attempts == 3 && status.recentFailures.first?.queue == "q2")
    }
}
