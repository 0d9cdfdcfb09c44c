import Foundation
import SpoolOutbox
import Testing

@Suite("Reconnecting after the server drops the session")
struct ReconnectTests {
    /// Terminates `victim`'s backend from `killer` and waits until it is gone.
    static func terminate(_ victim: PostgresConnection, from killer: PostgresConnection) throws -> Int64 {
        let pid = try #require(try victim.query("SELECT pg_backend_pid()").int64(0, 0))
        #expect(try killer.query("SELECT pg_terminate_backend($1::int)", [.int64(pid)]).bool(0, 0) == true)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let alive = try killer.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int", [.int64(pid)])
            if try alive.int(0, 0) == 0 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return pid
    }

    @Test("after pg_terminate_backend the next call errors clearly, the one after reconnects with LISTEN and settings")
    func reconnects() throws {
        let db = try TestDatabase.connect()
        let killer = try TestDatabase.connect()
        defer {
            db.close()
            killer.close()
        }
        let channel = TestDatabase.uniqueName("spool_reconnect")
        try db.listen(channel)
        try db.setStatementTimeout(.milliseconds(1234))
        let oldPID = try Self.terminate(db, from: killer)

        let error = expectPostgresError { _ = try db.query("SELECT 1") }
        guard case .connectionLost? = error else {
            Issue.record("expected connectionLost, got \(String(describing: error))")
            return
        }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("lost the connection to Postgres at \(db.server): server closed the connection"), "\(text)")
        #expect(text.contains("the next call reconnects"))

        let newPID = try #require(try db.query("SELECT pg_backend_pid()").int64(0, 0))
        #expect(newPID != oldPID)
        #expect(try db.query("SHOW statement_timeout").string(0, 0) == "1234ms")
        let listening = try db.query("SELECT pg_listening_channels()")
        #expect(try listening.rows.map { try $0.string(0) } == [channel])

        try killer.notify(channel: channel, payload: "after reconnect")
        let received = try db.waitForNotifications(timeout: .seconds(5))
        #expect(received.map(\.payload) == ["after reconnect"])
    }

    @Test("a connection killed while waiting for notifications reports it, then listens again")
    func lostWhileWaiting() throws {
        let db = try TestDatabase.connect()
        let killer = try TestDatabase.connect()
        defer {
            db.close()
            killer.close()
        }
        let channel = TestDatabase.uniqueName("spool_wait_lost")
        try db.listen(channel)
        _ = try Self.terminate(db, from: killer)
        let error = expectPostgresError { _ = try db.waitForNotifications(timeout: .seconds(5)) }
        guard case .connectionLost? = error else {
            Issue.record("expected connectionLost, got \(String(describing: error))")
            return
        }
        #expect(try db.waitForNotifications(timeout: .milliseconds(50)).isEmpty)  // reconnects and re-LISTENs
        try killer.notify(channel: channel, payload: "again")
        #expect(try db.waitForNotifications(timeout: .seconds(5)).map(\.payload) == ["again"])
    }

    @Test("a connection killed inside a transaction fails the transaction; the next call works")
    func lostInsideTransaction() throws {
        try TestDatabase.withSchema { setup, schema in
            try setup.execute("CREATE TABLE \(schema).t (id int)")
            let db = try TestDatabase.connect()
            let killer = try TestDatabase.connect()
            defer {
                db.close()
                killer.close()
            }
            let error = expectPostgresError {
                try db.transaction { tx in
                    try tx.execute("INSERT INTO \(schema).t VALUES (1)")
                    _ = try Self.terminate(tx, from: killer)
                    try tx.execute("INSERT INTO \(schema).t VALUES (2)")
                }
            }
            guard case .connectionLost? = error else {
                Issue.record("expected connectionLost, got \(String(describing: error))")
                return
            }
            #expect(try db.query("SELECT count(*) FROM \(schema).t").int(0, 0) == 0)
        }
    }
}
