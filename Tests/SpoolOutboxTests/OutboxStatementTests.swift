import Foundation
import Spool
import SpoolOutbox
import Testing

@Suite("Outbox: the INSERT as plain SQL for other drivers")
struct OutboxStatementTests {
    /// Jobs whose text needs every kind of escaping: quotes, backslashes, braces, commas, newlines,
    /// non-ASCII, the word NULL, JSON escapes.
    static func trickyJobs() throws -> [NewJob] {
        [
            try NewJob(
                kind: "email.welcome", json: #"{"name":"O'Brien \"Bob\"","path":"C:\\tmp\\{x}","n":[1,2,{"a":null}]}"#,
                options: JobOptions(id: "job-1", priority: -3, maxAttempts: 2, backoff: .standard)),
            try NewJob(
                kind: "report,{weird}", json: "\"NULL\"",
                options: JobOptions(id: "job-2", delay: .milliseconds(1500), timeout: .milliseconds(250))),
            try NewJob(
                kind: "unicode.ü", json: "{\n  \"text\": \"línea\\nzwei ✓ \\u00e9\",\n  \"tab\": \"\\t\"\n}",
                options: JobOptions(
                    id: "job-3", runAt: Date(timeIntervalSince1970: 1_900_000_000.123), uniqueKey: "key \"with\" quotes\\",
                    uniqueFor: .seconds(30))),
            NewJob(kind: "empty", validatedJSON: Array("{}".utf8), options: JobOptions(id: "job-4")),
        ]
    }

    /// Every column but seq and created_at, as text.
    static func rowTexts(_ db: PostgresConnection, _ table: String) throws -> [[String?]] {
        try db.query(
            "SELECT job_id, queue, kind, payload::text, options::text, published_at, failed_at, publish_attempts::text,"
                + " last_error FROM \(table) ORDER BY seq"
        ).rows.map(\.values)
    }

    @Test("psql (PREPARE/EXECUTE), libpq with the statement text, and Outbox.enqueue write identical rows")
    func sameRowsThreeWays() throws {
        let viaEnqueue = try OutboxFixture("stmt_enqueue")
        let viaLibpq = try OutboxFixture("stmt_libpq")
        let viaPsql = try OutboxFixture("stmt_psql")
        defer {
            viaEnqueue.close()
            viaLibpq.close()
            viaPsql.close()
        }
        let jobs = try Self.trickyJobs()

        let ids = try viaEnqueue.db.transaction { tx in try viaEnqueue.outbox.enqueue(jobs, queue: "mail", in: tx) }
        #expect(ids == ["job-1", "job-2", "job-3", "job-4"])

        let libpqStatement = try viaLibpq.outbox.statement(for: jobs, queue: "mail")
        #expect(libpqStatement.jobIDs == ids)
        #expect(libpqStatement.parameters.count == 5)
        try viaLibpq.db.transaction { tx in
            try tx.execute(libpqStatement.sql, libpqStatement.parameters.map { $0.map { PostgresValue.string($0) } })
        }

        let psqlStatement = try viaPsql.outbox.statement(for: jobs, queue: "mail")
        #expect(psqlStatement.parameters.dropFirst() == libpqStatement.parameters.dropFirst())
        try runPsql(statement: psqlStatement)

        let expected = try Self.rowTexts(viaEnqueue.db, viaEnqueue.table)
        #expect(expected.count == 4)
        #expect(try Self.rowTexts(viaLibpq.db, viaLibpq.table) == expected)
        #expect(try Self.rowTexts(viaPsql.db, viaPsql.table) == expected)
        // The payload is kept byte for byte (json, not jsonb).
        #expect(expected[2][3] == String(decoding: jobs[2].payload, as: UTF8.self))
        #expect(expected[0][4] == #"{"backoff": "exp:1000:2.0:3600000", "priority": -3, "max_attempts": 2}"#)

        // And the relay turns the psql rows into the same jobs as the Outbox.enqueue rows.
        try viaEnqueue.relay().publishPending()
        try viaPsql.relay().publishPending()
        for id in ids {
            let a = try #require(try viaEnqueue.client.queue("mail").job(id: id))
            let b = try #require(try viaPsql.client.queue("mail").job(id: id))
            #expect(a.kind == b.kind && a.payload == b.payload && a.priority == b.priority && a.state == b.state)
            #expect(a.maxAttempts == b.maxAttempts && a.timeout == b.timeout && a.uniqueKey == b.uniqueKey)
            #expect(a.backoff?.encoded == b.backoff?.encoded)
        }
        let third = try #require(try viaPsql.client.queue("mail").job(id: "job-3"))
        #expect(third.uniqueKey == "key \"with\" quotes\\" && third.payload == jobs[2].payload)
        #expect(third.runAt.map { ($0.timeIntervalSince1970 * 1000).rounded() } == 1_900_000_000_123)
    }

    @Test("the SQL text does not depend on the number of jobs (one prepared statement serves all)")
    func stableText() throws {
        let outbox = Outbox()
        let one = try outbox.statement(for: testJob(1), queue: "q")
        let many = try outbox.statement(for: (0..<10).map { testJob($0) }, queue: "q")
        #expect(one.sql == many.sql)
        #expect(one.sql.contains("\"public\".\"spool_outbox\""))
        #expect(one.parameters.first == "q")
        #expect(many.jobIDs.count == 10 && Set(many.jobIDs).count == 10)
    }

    /// Runs the statement through `/usr/bin/psql`: PREPARE it, then EXECUTE with the parameters passed as
    /// psql variables (`-v p1=…`, written `:'p1'`, which psql quotes as literals).
    private func runPsql(statement: OutboxStatement) throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: script) }
        let placeholders = statement.parameters.indices.map { ":'p\($0 + 1)'" }.joined(separator: ", ")
        let text = """
            BEGIN;
            PREPARE spool_outbox_insert AS \(statement.sql);
            EXECUTE spool_outbox_insert(\(placeholders));
            COMMIT;

            """
        try text.write(to: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        var arguments = [try TestDatabase.url(), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        for (index, parameter) in statement.parameters.enumerated() {
            arguments += ["-v", "p\(index + 1)=\(parameter ?? "")"]
        }
        arguments += ["-f", script.path]
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "psql: \(String(decoding: stderr, as: UTF8.self))")
    }
}
