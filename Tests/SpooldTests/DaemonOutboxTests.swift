import Foundation
import Spool
import SpoolOutbox
import SpoolTestSupport
import Testing

@Suite("spoold runs the outbox relay")
struct DaemonOutboxTests {
    @Test("a row committed in the outbox is relayed by the daemon and its job runs; a rolled-back one never appears")
    func relayInDaemon() throws {
        guard let databaseURL = ProcessInfo.processInfo.environment["SPOOL_TEST_DATABASE_URL"], !databaseURL.isEmpty else {
            throw TestSetupError("SPOOL_TEST_DATABASE_URL is not set: run the tests with scripts/test")
        }
        let schema = "spoold_outbox_\(UInt32.random(in: 0...UInt32.max))"
        let harness = try DaemonHarness("outbox", yaml: """
        outbox:
          schema: \(schema)
          poll_interval: 5s
        queues:
          - name: q
            concurrency: 2
        """)
        let connection = try PostgresConnection(databaseURL)
        defer {
            _ = try? connection.execute("DROP SCHEMA \(schema) CASCADE")
            connection.close()
        }
        let outbox = Outbox(configuration: try OutboxConfiguration(schema: schema))
        _ = try OutboxMigrator(connection: connection, configuration: outbox.configuration).migrate()
        let daemon = try harness.start(extraEnvironment: ["SPOOL_DATABASE_URL": databaseURL])
        defer { daemon.signal(SIGKILL); daemon.wait() }
        let queue = try harness.client().queue("q")
        struct Rollback: Error {}
        #expect(throws: Rollback.self) {
            try connection.transaction { tx in
                _ = try outbox.enqueue(NewJob(kind: "spool.noop", json: "{}", options: JobOptions(id: "rolled-back")), queue: "q", in: tx)
                throw Rollback()
            }
        }
        let id = try connection.transaction { tx in
            try outbox.enqueue(NewJob(kind: "spool.noop", json: "{}", options: JobOptions(id: "committed")), queue: "q", in: tx)
        }
        #expect(id == "committed")
        #expect(try DaemonHarness.eventually(.seconds(10)) { try queue.job(id: "committed")?.state == .done }, "log: \(harness.log)")
        #expect(try queue.job(id: "rolled-back") == nil)
        #expect(try queue.stats().enqueued == 1)
    }
}
