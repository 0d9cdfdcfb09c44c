import Foundation
import Spool
import SpoolTestSupport
import Testing

@Suite("spool cron list/enable/disable/delete and outbox migrate/status")
struct CronAndOutboxCommandTests {
    @Test("cron schedules are listed, disabled, enabled and deleted; unknown names exit 3")
    func cronCommands() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        let client = cli.client
        _ = try client.cronRegistry.upsert(CronSchedule(name: "nightly", expression: "0 3 * * *", timeZone: "Europe/Berlin",
                                                        queue: "reports", kind: "report.run"))
        let listed = try cli.run(["cron", "list", "--json"]).json()
        let schedules = try #require(listed["schedules"] as? [[String: Any]])
        #expect(schedules.count == 1)
        #expect(schedules.first?["name"] as? String == "nightly" && schedules.first?["enabled"] as? Bool == true)
        #expect((schedules.first?["nextFire"] as? String)?.hasSuffix("Z") == true)
        #expect(try cli.run(["cron", "disable", "nightly"]).exitCode == 0)
        #expect(try client.cronRegistry.get("nightly")?.enabled == false)
        #expect(try cli.run(["cron", "enable", "nightly"]).exitCode == 0)
        #expect(try client.cronRegistry.get("nightly")?.enabled == true)
        #expect(try cli.run(["cron", "disable", "missing"]).exitCode == 3)
        #expect(try cli.run(["cron", "delete", "nightly", "--json"]).json()["deleted"] as? Bool == true)
        #expect(try cli.run(["cron", "delete", "nightly"]).exitCode == 3)
        #expect(try client.cronRegistry.list().isEmpty)
    }

    @Test("outbox migrate is idempotent and status reports the backlog")
    func outboxCommands() throws {
        guard let database = ProcessInfo.processInfo.environment["SPOOL_TEST_DATABASE_URL"], !database.isEmpty else {
            throw TestSetupError("SPOOL_TEST_DATABASE_URL is not set: run the tests with scripts/test")
        }
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        let schema = "cli_outbox_\(UInt32.random(in: 0...UInt32.max))"
        let first = try cli.run(["outbox", "migrate", "--json", "--database", database, "--schema", schema]).json()
        #expect((first["applied"] as? [Int])?.isEmpty == false)
        let second = try cli.run(["outbox", "migrate", "--json", "--database", database, "--schema", schema]).json()
        #expect((second["applied"] as? [Int]) == [])
        let status = try cli.run(["outbox", "status", "--json", "--database", database, "--schema", schema]).json()
        #expect(status["unpublished"] as? Int == 0 && status["version"] as? Int == status["latestVersion"] as? Int)
        var environment = ProcessInfo.processInfo.environment
        environment["SPOOL_DATABASE_URL"] = ""
        #expect(try SpoolCLI.runRaw(["outbox", "status"], environment: environment).exitCode == 2)
        let unreachable = try cli.run(["outbox", "status", "--database", "postgres://postgres@127.0.0.1:\(try freeLoopbackPort())/x"])
        #expect(unreachable.exitCode == 1 && unreachable.stderr.contains("Postgres"), "\(unreachable)")
        let psql = try ChildProcess("/usr/bin/psql", [database, "-c", "DROP SCHEMA IF EXISTS \(schema) CASCADE"])
        psql.wait()
    }
}
