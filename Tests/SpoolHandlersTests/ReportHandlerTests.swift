import Foundation
import Logging
import SpoolHandlers
import SpoolOutbox
import SpoolTestSupport
import Testing

/// A throwaway schema in the test database, dropped afterwards.
struct ReportTestDatabase {
    let url: String
    let schema: String
    let connection: PostgresConnection
    let reportsRoot: String

    init(_ label: String) throws {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_DATABASE_URL"], !url.isEmpty else {
            throw TestSetupError("SPOOL_TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts a throwaway Postgres")
        }
        self.url = url
        schema = "report_test_\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        var logger = Logger(label: "spool.test.reports")
        logger.logLevel = .warning
        connection = try PostgresConnection(url, logger: logger)
        try connection.execute("CREATE SCHEMA \(schema)")
        reportsRoot = NSTemporaryDirectory() + "spool-\(schema)"
        try FileManager.default.createDirectory(atPath: reportsRoot, withIntermediateDirectories: true)
    }

    /// Creates `<schema>.signups` with `rows` generated rows: every 1000th note holds quotes, a comma and a
    /// newline; every 777th note is NULL.
    func createSignups(rows: Int) throws {
        try connection.execute("""
            CREATE TABLE \(schema).signups AS
            SELECT g::bigint AS id, 'user' || g || '@example.com' AS email,
                   CASE WHEN g % 777 = 0 THEN NULL
                        WHEN g % 1000 = 0 THEN 'said "hi", then' || E'\\n' || 'left'
                        ELSE 'note ' || g END AS note,
                   CASE WHEN g % 2 = 0 THEN 'pro' ELSE 'free' END AS plan,
                   g % 3 = 0 AS verified,
                   timestamptz '2026-01-01 00:00:00+00' + (g || ' minutes')::interval AS created_at
            FROM generate_series(1, \(rows)) AS g
            """)
    }

    func definition(_ dictionary: [String: Any]) throws -> ReportDefinition {
        var dictionary = dictionary
        if let sql = dictionary["sql"] as? String { dictionary["sql"] = sql.replacingOccurrences(of: "FROM signups", with: "FROM \(schema).signups") }
        return try ReportDefinition(dictionary: dictionary, file: "test.yaml")
    }

    func runner(_ definitions: [ReportDefinition]) -> ReportRunner {
        ReportRunner(databaseURL: url, reportsRoot: reportsRoot, definitions: definitions)
    }

    func files(_ report: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: reportsRoot + "/" + report)) ?? []).sorted()
    }

    func drop() {
        _ = try? connection.execute("DROP SCHEMA \(schema) CASCADE")
        connection.close()
        try? FileManager.default.removeItem(atPath: reportsRoot)
    }
}

/// Runs python3 with a script; returns its stdout.
func runPython(_ script: String, _ arguments: [String]) throws -> String {
    let directory = NSTemporaryDirectory() + "spool-py-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Data(script.utf8).write(to: URL(fileURLWithPath: directory + "/check.py"))
    let child = try ChildProcess("/usr/bin/env", ["python3", directory + "/check.py"] + arguments,
                                 logFile: directory + "/out", errorFile: directory + "/err")
    child.wait(timeout: .seconds(120))
    let output = (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? ""
    let errors = (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? ""
    guard child.exitCode == 0 else { throw TestSetupError("python3 failed: \(errors)") }
    return output
}

@Suite("spool.report against a real Postgres")
struct ReportHandlerTests {
    @Test("the demo definition parses; named parameters become bound placeholders outside strings and comments")
    func definitionParsing() throws {
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("jobs/reports/daily-signups.yaml").path
        let json = try runPython("import sys, json, yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))))", [demo])
        let dictionary = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let definition = try ReportDefinition(dictionary: dictionary, file: "jobs/reports/daily-signups.yaml")
        #expect(definition.name == "daily-signups" && definition.formats == [.csv, .jsonl] && !definition.gzip)
        #expect(definition.timeout == .seconds(30))
        #expect(definition.parameters == ["since": .date, "plan": .text])
        #expect(definition.query.order == ["since", "plan"])
        #expect(definition.query.sql.contains("created_at >= ($1::date)") && definition.query.sql.contains("plan = ($2::text)"))
        #expect(definition.query.sql.contains("-- a comment with :not_a_parameter"))
        #expect(definition.query.sql.contains("::date AS day"))

        let strings = try ReportQuery("SELECT ':x', \":y\", $$ :z $$, $t$ :w $t$, /* :v */ a::text FROM t WHERE b = :x", parameters: ["x": .int], file: "f")
        #expect(strings.sql == "SELECT ':x', \":y\", $$ :z $$, $t$ :w $t$, /* :v */ a::text FROM t WHERE b = ($1::bigint)")

        let bad: [([String: Any], String)] = [
            (["name": "r", "sql": "SELECT :a"], "test.yaml: sql: :a is used but not declared"),
            (["name": "r", "sql": "SELECT 1", "parameters": ["a": "int"]], "test.yaml: sql: parameter a is declared but :a never appears"),
            (["name": "r", "sql": "SELECT $1"], "test.yaml: sql: positional parameter $1"),
            (["name": "r", "sql": "SELECT :a", "parameters": ["a": "float"]], "test.yaml: parameters.a: unknown type float"),
            (["name": "r", "sql": "SELECT 1", "formats": ["xml"]], "test.yaml: formats: unknown format xml"),
            (["name": "R S", "sql": "SELECT 1"], "test.yaml: name: must be a name"),
            (["name": "r", "sql": "SELECT 1", "timeout": "soon"], "test.yaml: timeout: must be a duration"),
            (["name": "r", "sql": "SELECT 1", "gzip": "yes"], "test.yaml: gzip: must be true or false"),
        ]
        // A bare number is seconds, as everywhere in Spool's configuration.
        #expect(try ReportDefinition(dictionary: ["name": "r", "sql": "SELECT 1", "timeout": 2], file: "test.yaml").timeout == .seconds(2))
        for (dictionary, message) in bad {
            #expect { try ReportDefinition(dictionary: dictionary, file: "test.yaml") } throws: { error in
                "\(error)".hasPrefix(message)
            }
        }
    }

    @Test("the demo report runs: CSV and JSON Lines with header, manifest, atomic names under <name>/")
    func demoReport() throws {
        let database = try ReportTestDatabase("demo")
        defer { database.drop() }
        try database.createSignups(rows: 5000)
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("jobs/reports/daily-signups.yaml").path
        let json = try runPython("import sys, json, yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))))", [demo])
        let definition = try database.definition(try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]))
        let runner = database.runner([definition])
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        let manifest = try runner.run(ReportJob(report: "daily-signups", parameters: ["since": .string("2026-01-03"), "plan": .string("pro")]),
                                      jobID: "job:1", now: now).manifest
        // Row g is at minute g after 2026-01-01 00:00 UTC; pro rows are the even ones: 720 on 01-03, 341 on 01-04 (g 4320…5000).
        #expect(manifest.rows == 2)
        let stamp = "20260528T202640Z"
        #expect(database.files("daily-signups") == ["\(stamp)-job_1.csv", "\(stamp)-job_1.jsonl", "\(stamp)-job_1.manifest.json"])
        let csv = try String(contentsOfFile: database.reportsRoot + "/daily-signups/\(stamp)-job_1.csv", encoding: .utf8)
        #expect(csv == "day,signups,first_email\r\n2026-01-03,720,user2880@example.com\r\n2026-01-04,341,user4320@example.com\r\n")
        let jsonl = try String(contentsOfFile: database.reportsRoot + "/daily-signups/\(stamp)-job_1.jsonl", encoding: .utf8)
        #expect(jsonl == "{\"day\":\"2026-01-03\",\"signups\":720,\"first_email\":\"user2880@example.com\"}\n{\"day\":\"2026-01-04\",\"signups\":341,\"first_email\":\"user4320@example.com\"}\n")
        let written = try JSONDecoder().decode(ReportManifest.self, from: Data(contentsOf: URL(fileURLWithPath: database.reportsRoot + "/daily-signups/\(stamp)-job_1.manifest.json")))
        #expect(written == manifest)
        #expect(manifest.outputs.map(\.bytes) == [Int64(csv.utf8.count), Int64(jsonl.utf8.count)])

        // No rows still gives a CSV header.
        let none = try runner.run(ReportJob(report: "daily-signups", parameters: ["since": .string("2030-01-01"), "plan": .string("pro")]), jobID: "job-2", now: now).manifest
        #expect(none.rows == 0)
        #expect(try String(contentsOfFile: database.reportsRoot + "/daily-signups/\(stamp)-job-2.csv", encoding: .utf8) == "day,signups,first_email\r\n")
    }

    @Test("parameters of the wrong type, missing or unknown are refused with a clear message before any query")
    func parameterTypes() throws {
        let database = try ReportTestDatabase("params")
        defer { database.drop() }
        try database.createSignups(rows: 10)
        let definition = try database.definition([
            "name": "typed", "sql": "SELECT count(*) AS n FROM signups WHERE id >= :min AND created_at >= :after AND verified = :verified AND created_at::date >= :day AND plan = :plan",
            "parameters": ["min": "int", "after": "timestamp", "verified": "bool", "day": "date", "plan": "text"],
        ])
        let runner = database.runner([definition])
        let good: [String: ReportParameterValue] = ["min": .int(1), "after": .string("2026-01-01T00:00:00Z"), "verified": .bool(true), "day": .string("2026-01-01"), "plan": .string("free")]
        #expect(try runner.run(ReportJob(report: "typed", parameters: good), jobID: "ok").manifest.rows == 1)
        #expect(try String(contentsOfFile: database.reportsRoot + "/typed/" + (database.files("typed").first ?? ""), encoding: .utf8).hasSuffix("\r\n2\r\n"))
        let cases: [(String, ReportParameterValue?, String)] = [
            ("min", .string("1"), "report \"typed\": parameter min: expected an integer, got \"1\" (a string)"),
            ("min", .double(1.5), "report \"typed\": parameter min: expected an integer, got 1.5 (a number)"),
            ("verified", .string("true"), "report \"typed\": parameter verified: expected true or false"),
            ("day", .string("2026-02-30"), "report \"typed\": parameter day: expected a date as YYYY-MM-DD"),
            ("after", .string("yesterday"), "report \"typed\": parameter after: expected an ISO 8601 timestamp"),
            ("plan", .int(3), "report \"typed\": parameter plan: expected a string, got 3 (an integer)"),
            ("plan", nil, "report \"typed\": parameter plan: missing"),
            ("extra", .int(1), "report \"typed\": parameter extra: not declared by the report"),
        ]
        for (name, value, message) in cases {
            var parameters = good
            parameters[name] = value
            #expect { try runner.run(ReportJob(report: "typed", parameters: parameters), jobID: "bad") } throws: { error in
                "\(error)".hasPrefix(message) && (error as? ReportError)?.isPermanent == true
            }
        }
        #expect { try runner.run(ReportJob(report: "nope"), jobID: "x") } throws: { error in
            "\(error)" == "no report named \"nope\" — defined: typed (jobs/reports/*.yaml)"
        }
        // A payload with a wrongly typed value still decodes; the type check is the report's.
        let payload = try JSONDecoder().decode(ReportJob.self, from: Data(#"{"report":"typed","parameters":{"min":"1; DROP TABLE x"}}"#.utf8))
        #expect(payload.parameters["min"] == .string("1; DROP TABLE x"))
    }

    @Test("an SQL injection attempt in a text parameter is inert (bound, never spliced); the transaction is read-only")
    func injectionIsInert() throws {
        let database = try ReportTestDatabase("inject")
        defer { database.drop() }
        try database.createSignups(rows: 100)
        let definition = try database.definition([
            "name": "by-plan", "sql": "SELECT id, email FROM signups WHERE plan = :plan ORDER BY id", "parameters": ["plan": "text"],
        ])
        let runner = database.runner([definition])
        let attacks = ["free' OR '1'='1", "free'; DROP TABLE \(database.schema).signups; --", "x') UNION SELECT 1, current_user --"]
        for attack in attacks {
            #expect(try runner.run(ReportJob(report: "by-plan", parameters: ["plan": .string(attack)]), jobID: "attack").manifest.rows == 0)
        }
        #expect(try database.connection.query("SELECT count(*) FROM \(database.schema).signups").row(0).int(0) == 100)
        #expect(try runner.run(ReportJob(report: "by-plan", parameters: ["plan": .string("free")]), jobID: "fair").manifest.rows == 50)
        // A report cannot write: the transaction is read-only.
        let writer = try database.definition(["name": "writer", "sql": "DELETE FROM signups RETURNING id"])
        #expect(throws: PostgresError.self) { try database.runner([writer]).run(ReportJob(report: "writer"), jobID: "w") }
        #expect(try database.connection.query("SELECT count(*) FROM \(database.schema).signups").row(0).int(0) == 100)
        #expect(database.files("writer").isEmpty)
    }

    @Test("the statement timeout is honoured: a clear error that retries, and no output")
    func statementTimeout() throws {
        let database = try ReportTestDatabase("timeout")
        defer { database.drop() }
        let definition = try database.definition(["name": "slow", "sql": "SELECT pg_sleep(:seconds) AS slept", "parameters": ["seconds": "int"], "timeout": "200ms"])
        let started = ContinuousClock.now
        do {
            _ = try database.runner([definition]).run(ReportJob(report: "slow", parameters: ["seconds": .int(5)]), jobID: "slow-1")
            Issue.record("the query was not cancelled")
        } catch let error as PostgresError {
            guard case .statementTimeout = error else { Issue.record("\(error)"); return }
            #expect("\(error)".contains("statement timed out after 200 ms"))
            #expect(ReportHandler.isTransient(error), "a statement timeout retries (load and locks pass)")
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(database.files("slow").isEmpty, "\(database.files("slow"))")
    }
}
