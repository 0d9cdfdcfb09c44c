import Foundation
import SpoolOutbox
import Testing

@Suite("Value round trips against a real Postgres")
struct ValueRoundTripTests {
    @Test("every PostgresValue case and NULL survive a table round trip")
    func everyTypeRoundTrips() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute(
                """
                CREATE TABLE \(schema).v (id int PRIMARY KEY, t text, i int8, l int8, d float8, b bool,
                                          ts timestamptz, by bytea, j jsonb)
                """)
            let when = Date(timeIntervalSince1970: 1_700_000_000.123456)
            let bytes: [UInt8] = [0, 1, 0, 255, 0, 0x5c, 0x78, 0]
            let text = "héllo wörld ✓ 日本語 🎉 \u{1F600}"
            let json = #"{"a": [1, 2.5, {"b": "ü"}], "n": null}"#
            let inserted = try db.execute(
                "INSERT INTO \(schema).v VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)",
                [.int(1), .string(text), .int(Int.min), .int64(Int64.max), .double(0.1), .bool(true),
                 .date(when), .bytes(bytes), .json(json)])
            #expect(inserted == 1)
            try db.execute(
                "INSERT INTO \(schema).v VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)",
                [2, nil, nil, nil, nil, nil, nil, nil, nil])

            let result = try db.query("SELECT * FROM \(schema).v ORDER BY id")
            #expect(result.rowCount == 2)
            #expect(result.columnNames == ["id", "t", "i", "l", "d", "b", "ts", "by", "j"])
            #expect(try result.string(0, "t") == text)
            #expect(try result.int(0, "i") == Int.min)
            #expect(try result.int64(0, "l") == Int64.max)
            #expect(try result.double(0, "d") == 0.1)
            #expect(try result.bool(0, "b") == true)
            let date = try #require(try result.date(0, "ts"))
            #expect(abs(date.timeIntervalSince(when)) < 0.000_001)
            #expect(try result.bytes(0, "by") == bytes)
            let sameJSON = try db.query("SELECT j = $1::jsonb FROM \(schema).v WHERE id = 1", [.json(json)])
            #expect(try sameJSON.bool(0, 0) == true)
            #expect(try result.json(0, "j")?.contains("\"ü\"") == true)

            for column in ["t", "i", "l", "d", "b", "ts", "by", "j"] {
                #expect(try result.isNull(1, column), "column \(column) should be NULL")
                #expect(try result.string(1, column) == nil)
            }
            #expect(try result.int64(1, "i") == nil)
            #expect(try result.bytes(1, "by") == nil)
            #expect(try result.isNull(0, "t") == false)
        }
    }

    @Test("bytea with every byte value, including NUL, round trips through a binary parameter")
    func byteaAllBytes() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let all = (0...255).map { UInt8($0) } + [0, 0, 0]
        let result = try db.query("SELECT $1::bytea AS b, length($1::bytea) AS n", [.bytes(all)])
        #expect(try result.bytes(0, "b") == all)
        #expect(try result.int(0, "n") == all.count)
        let empty = try db.query("SELECT $1::bytea", [.bytes([])])
        #expect(try empty.bytes(0, 0) == [])
    }

    @Test("doubles: infinities, NaN, tiny and huge values")
    func doubles() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        for value in [Double.infinity, -Double.infinity, 1e-300, -2.5e300, 123_456.789, 0] {
            let result = try db.query("SELECT $1::float8", [.double(value)])
            #expect(try result.double(0, 0) == value)
        }
        let nan = try db.query("SELECT $1::float8", [.double(.nan)])
        #expect(try nan.double(0, 0)?.isNaN == true)
    }

    @Test("dates before 1970, with microseconds, and infinity")
    func dates() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        for seconds in [-1_234_567_890.5, 0, 951_782_400.000_001, 4_102_444_800.999_999] {
            let when = Date(timeIntervalSince1970: seconds)
            let result = try db.query("SELECT $1::timestamptz, ($1::timestamptz AT TIME ZONE 'UTC')::text", [.date(when)])
            let back = try #require(try result.date(0, 0))
            #expect(abs(back.timeIntervalSince(when)) < 0.000_001, "\(seconds) came back as \(back)")
        }
        // Whatever the session time zone, the offset in the text is honoured.
        try db.execute("SET TIME ZONE 'Asia/Kolkata'")
        let shifted = try db.query("SELECT '2024-03-01 12:00:00+00'::timestamptz")
        #expect(try shifted.string(0, 0) == "2024-03-01 17:30:00+05:30")
        #expect(try shifted.date(0, 0) == Date(timeIntervalSince1970: 1_709_294_400))
        let infinite = try db.query("SELECT 'infinity'::timestamptz")
        #expect(try infinite.date(0, 0) == .distantFuture)
    }

    @Test("literals make parameters; untyped parameters come back as text")
    func literals() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let result = try db.query("SELECT $1 AS s, $2::int AS i, $3::float8 AS d, $4::bool AS b", ["x", 42, 1.5, false])
        #expect(try result.string(0, "s") == "x")
        #expect(try result.int(0, "i") == 42)
        #expect(try result.double(0, "d") == 1.5)
        #expect(try result.bool(0, "b") == false)
    }

    @Test("parameters are never spliced into SQL")
    func injectionStoredVerbatim() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute("CREATE TABLE \(schema).x (id serial PRIMARY KEY, note text)")
            let hostile = [
                "'; DROP TABLE \(schema).x; --",
                "Robert'); DROP TABLE \(schema).x;--",
                "$1 $2 \\ \" ' ; -- /* */",
            ]
            for note in hostile {
                try db.execute("INSERT INTO \(schema).x (note) VALUES ($1)", [.string(note)])
            }
            let stored = try db.query("SELECT note FROM \(schema).x ORDER BY id")
            #expect(try stored.rows.map { try $0.string("note") } == hostile)
            let found = try db.query("SELECT count(*) FROM \(schema).x WHERE note = $1", [.string(hostile[0])])
            #expect(try found.int(0, 0) == 1)
            // A second statement is never run: the extended protocol takes exactly one.
            let error = expectPostgresError {
                _ = try db.query("SELECT 1; DROP TABLE \(schema).x")
            }
            #expect(error?.sqlState == "42601")
            #expect(try db.query("SELECT count(*) FROM \(schema).x").int(0, 0) == 3)
        }
    }

    @Test("a NUL byte in text is refused with a clear error, not truncated")
    func nulInText() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let error = expectPostgresError { _ = try db.query("SELECT $1", [.string("a\u{0}b")]) }
        guard case .invalidArgument? = error else {
            Issue.record("expected invalidArgument, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("parameter $1 contains a NUL byte") == true)
        #expect(try db.query("SELECT 1").int(0, 0) == 1)
    }
}
