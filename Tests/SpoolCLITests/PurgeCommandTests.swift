import Foundation
import Spool
import Testing

/// `spool purge`: counts first, refuses without a terminal or --yes, removes with --yes.
@Suite struct PurgeCommandTests {
    @Test func purgeRefusesWithoutTerminalAndDryRunRemovesNothing() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        _ = try cli.makeDead(5, queue: "q", kind: "a")
        _ = try cli.makeDead(3, queue: "q", kind: "b")

        let refused = try cli.run(["purge", "q", "--state", "dead"])
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(refused.stderr.contains("--yes"))
        #expect(try cli.queue("q").stats().dead == 8)

        let dry = try cli.run(["purge", "q", "--state", "dead", "--dry-run", "--json"])
        #expect(dry.exitCode == 0, "\(dry)")
        let dryDocument = try dry.json()
        #expect(dryDocument["matched"] as? Int == 8)
        #expect(dryDocument["removed"] as? Int == 0)
        #expect(dryDocument["dryRun"] as? Bool == true)
        #expect(try cli.queue("q").stats().dead == 8)

        let notOldEnough = try cli.run(["purge", "q", "--state", "dead", "--older-than", "7d", "--yes", "--json"])
        #expect(try notOldEnough.json()["matched"] as? Int == 0)
        #expect(try cli.queue("q").stats().dead == 8)

        let kind = try cli.run(["purge", "q", "--state", "dead", "--kind", "b", "--yes", "--json"])
        #expect(kind.exitCode == 0, "\(kind)")
        #expect(try kind.json()["removed"] as? Int == 3)
        #expect(try cli.queue("q").stats().dead == 5)

        usleep(600_000)
        let all = try cli.run(["purge", "q", "--state", "dead", "--older-than", "500ms", "--yes"])
        #expect(all.exitCode == 0, "\(all)")
        #expect(all.stdout.contains("removed 5"), "\(all)")
        #expect(try cli.queue("q").stats().dead == 0)
    }
}
