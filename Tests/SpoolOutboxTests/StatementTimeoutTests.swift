import SpoolOutbox
import Testing

@Suite("Statement timeout")
struct StatementTimeoutTests {
    @Test("a statement over the timeout fails clearly and the connection still works")
    func timesOut() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        try db.setStatementTimeout(.milliseconds(100))
        #expect(try db.query("SHOW statement_timeout").string(0, 0) == "100ms")
        let start = ContinuousClock.now
        let error = expectPostgresError { _ = try db.query("SELECT pg_sleep(2)") }
        #expect(ContinuousClock.now - start < .milliseconds(1500))
        guard case .statementTimeout(_, let milliseconds)? = error else {
            Issue.record("expected statementTimeout, got \(String(describing: error))")
            return
        }
        #expect(milliseconds == 100)
        #expect(error?.sqlState == "57014")
        #expect(error?.description.hasPrefix("statement timed out after 100 ms (statement_timeout) on Postgres at \(db.server)") == true)
        #expect(try db.query("SELECT 1").int(0, 0) == 1)

        try db.setStatementTimeout(nil)
        #expect(try db.query("SHOW statement_timeout").string(0, 0) == "0")
        #expect(try db.query("SELECT pg_sleep(0.2)").rowCount == 1)
    }

    @Test("inside a transaction the timeout lasts until the transaction ends")
    func localToTransaction() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let error = expectPostgresError {
            try db.transaction { tx in
                try tx.setStatementTimeout(.milliseconds(50))
                _ = try tx.query("SELECT pg_sleep(1)")
            }
        }
        guard case .statementTimeout(_, 50)? = error else {
            Issue.record("expected statementTimeout after 50 ms, got \(String(describing: error))")
            return
        }
        #expect(try db.query("SHOW statement_timeout").string(0, 0) == "0")
    }
}
