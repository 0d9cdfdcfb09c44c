import SpoolOutbox
import Testing

@Suite("Streaming rows in single-row mode")
struct StreamingTests {
    @Test("200,000 rows from generate_series arrive one by one with the right count and sum")
    func largeStream() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        var count = 0
        var sum: Int64 = 0
        var names: [String] = []
        try db.streamQuery("SELECT g AS n FROM generate_series(1, $1::int) g", [200_000]) { row in
            if count == 0 { names = row.columns.names }
            count += 1
            sum += try row.int64("n") ?? 0
        }
        #expect(count == 200_000)
        #expect(sum == 200_000 * 200_001 / 2)
        #expect(names == ["n"])
        #expect(try db.query("SELECT 1").int(0, 0) == 1)
    }

    @Test("a throwing row handler cancels the statement; the error comes back and the connection works")
    func handlerThrows() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        var seen = 0
        #expect(throws: Boom.self) {
            // generate_series in the SELECT list streams (in FROM it would be materialized first).
            try db.streamQuery("SELECT generate_series(1, 100000000)") { _ in
                seen += 1
                if seen == 10 { throw Boom() }
            }
        }
        #expect(seen == 10)
        #expect(try db.query("SELECT 2").int(0, 0) == 2)
    }

    @Test("an error part-way through the rows is thrown after the rows before it")
    func errorMidStream() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        var seen = 0
        let error = expectPostgresError {
            try db.streamQuery("SELECT 10 / (5000 - g) FROM generate_series(1, 10000) g") { _ in seen += 1 }
        }
        #expect(error?.sqlState == "22012")
        #expect(seen > 0 && seen < 5000)
        #expect(try db.query("SELECT 3").int(0, 0) == 3)
    }

    @Test("using the same connection inside the row handler is refused, not deadlocked")
    func reentrantUse() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let error = expectPostgresError {
            try db.streamQuery("SELECT 1") { _ in _ = try db.query("SELECT 2") }
        }
        guard case .misuse? = error else {
            Issue.record("expected misuse, got \(String(describing: error))")
            return
        }
        #expect(try db.query("SELECT 4").int(0, 0) == 4)
    }

    @Test("a stream of zero rows and a stream of a non-SELECT statement both end cleanly")
    func emptyStreams() throws {
        try TestDatabase.withSchema { db, schema in
            var rows = 0
            try db.streamQuery("SELECT 1 WHERE false") { _ in rows += 1 }
            try db.streamQuery("CREATE TABLE \(schema).s (id int)") { _ in rows += 1 }
            #expect(rows == 0)
        }
    }
}
