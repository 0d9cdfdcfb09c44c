import Foundation
import Logging
import SpoolOutbox
import Testing

@Suite("Queries, results and SQL errors")
struct QueryTests {
    @Test("execute returns affected rows; results carry the command tag")
    func affectedRows() throws {
        try TestDatabase.withSchema { db, schema in
            #expect(try db.execute("CREATE TABLE \(schema).t (id int PRIMARY KEY, n int)") == 0)
            #expect(try db.execute("INSERT INTO \(schema).t SELECT g, g FROM generate_series(1, 3) g") == 3)
            #expect(try db.execute("UPDATE \(schema).t SET n = n + 1 WHERE id >= $1", [2]) == 2)
            let deleted = try db.query("DELETE FROM \(schema).t WHERE id = $1 RETURNING n", [3])
            #expect(deleted.commandTag == "DELETE 1")
            #expect(deleted.affectedRows == 1)
            #expect(try deleted.int(0, "n") == 4)
            let selected = try db.query("SELECT id FROM \(schema).t ORDER BY id")
            #expect(selected.commandTag == "SELECT 2")
            #expect(selected.rowCount == 2)
            #expect(selected.columnCount == 1)
        }
    }

    @Test("bad row or column indexes and wrong types throw instead of trapping")
    func accessorErrors() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let result = try db.query("SELECT 'abc' AS word, 7 AS seven")
        #expect(throws: PostgresError.self) { try result.string(1, 0) }
        #expect(throws: PostgresError.self) { try result.string(0, 5) }
        #expect(throws: PostgresError.self) { try result.string(0, "missing") }
        let decoding = expectPostgresError { _ = try result.int64(0, "word") }
        #expect(decoding?.description == "column \"word\" holds \"abc\", which is not an integer — cast it in SQL or read it with another accessor")
        #expect(try result.int64(0, "seven") == 7)
        #expect(try result.double(0, "seven") == 7)
    }

    @Test("a unique violation carries SQLSTATE, condition name, message and detail")
    func uniqueViolation() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute("CREATE TABLE \(schema).u (id int PRIMARY KEY)")
            try db.execute("INSERT INTO \(schema).u VALUES ($1)", [1])
            let error = expectPostgresError { try db.execute("INSERT INTO \(schema).u VALUES ($1)", [1]) }
            guard case .server(let server)? = error else {
                Issue.record("expected a server error, got \(String(describing: error))")
                return
            }
            #expect(server.sqlState == "23505")
            #expect(server.conditionName == "unique_violation")
            #expect(server.constraint == "u_pkey")
            #expect(server.table == "u")
            #expect(server.detail == "Key (id)=(1) already exists.")
            let text = server.description
            #expect(text.hasPrefix("Postgres error 23505 (unique_violation): duplicate key value violates unique constraint \"u_pkey\""))
            #expect(text.contains("Key (id)=(1) already exists."))
            #expect(text.contains(db.server))
            #expect(!text.contains("\n"))
            // The connection is fine afterwards.
            #expect(try db.query("SELECT count(*) FROM \(schema).u").int(0, 0) == 1)
        }
    }

    @Test("syntax errors and undefined tables carry their SQLSTATE")
    func otherErrors() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        #expect(expectPostgresError { _ = try db.query("SELEC 1") }?.sqlState == "42601")
        let missing = expectPostgresError { _ = try db.query("SELECT * FROM no_such_table_here") }
        #expect(missing?.sqlState == "42P01")
        #expect(missing?.description.contains("(undefined_table)") == true)
    }

    @Test("server notices go to swift-log, not stderr")
    func noticesAreLogged() throws {
        let (logger, store) = CapturingLogHandler.logger()
        let db = try PostgresConnection(TestDatabase.url(), logger: logger)
        defer { db.close() }
        try db.execute("DO $$ BEGIN RAISE NOTICE 'hello %', 42; RAISE WARNING 'careful'; END $$")
        let messages = store.all
        #expect(messages.contains { $0.0 == .notice && $0.1 == "hello 42" })
        #expect(messages.contains { $0.0 == .warning && $0.1 == "careful" })
    }

    @Test("a closed connection says so")
    func closed() throws {
        let db = try TestDatabase.connect()
        db.close()
        db.close()  // idempotent
        let error = expectPostgresError { _ = try db.query("SELECT 1") }
        guard case .closed? = error else {
            Issue.record("expected closed, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("was closed — open a new PostgresConnection") == true)
    }
}
