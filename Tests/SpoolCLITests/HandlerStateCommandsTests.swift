import Foundation
import Spool
import SpoolHandlers
import Testing

/// `spool webhook disabled|enable` and `spool email suppressed|unsuppress` against the state the handlers keep in Redis.
@Suite struct HandlerStateCommandsTests {
    @Test func disabledWebhookEndpointsAreListedAndReEnabled() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        let empty = try cli.run(["webhook", "disabled"])
        #expect(empty.exitCode == 0 && empty.stdout.contains("no disabled webhook endpoints"), "\(empty)")

        let admin = WebhookEndpointAdmin(client: cli.client)
        try admin.disable("billing", reason: "410 Gone from https://billing.example.com/hooks", at: Date(timeIntervalSince1970: 1_790_000_000))
        let listed = try cli.run(["webhook", "disabled", "--json"])
        #expect(listed.exitCode == 0, "\(listed)")
        let rows = try #require(try listed.json()["disabled"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["endpoint"] as? String == "billing")
        #expect(rows.first?["reason"] as? String == "410 Gone from https://billing.example.com/hooks")
        #expect(rows.first?["disabledAt"] as? String == "2026-09-21T14:13:20.000Z")
        let table = try cli.run(["webhook", "disabled"])
        #expect(table.stdout.contains("ENDPOINT") && table.stdout.contains("billing") && table.stdout.contains("410 Gone"), "\(table)")

        let enabled = try cli.run(["webhook", "enable", "billing", "--json"])
        #expect(enabled.exitCode == 0, "\(enabled)")
        #expect(try enabled.json()["enabled"] as? Bool == true)
        #expect(try admin.disabled("billing") == nil)
        let again = try cli.run(["webhook", "enable", "billing"])
        #expect(again.exitCode == 3 && again.stderr.contains("webhook endpoint billing is not disabled"), "\(again)")
    }

    @Test func suppressedAddressesAreListedAndRemoved() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        let list = EmailSuppressionList(client: cli.client)
        try list.add("Gone@Example.com", reason: "550 5.1.1 no such user (2026-11-23T18:45:21Z, job j1)")
        try list.add("full@example.com", reason: "552 mailbox full")
        let listed = try cli.run(["email", "suppressed", "--json"])
        #expect(listed.exitCode == 0, "\(listed)")
        let rows = try #require(try listed.json()["suppressed"] as? [[String: Any]])
        #expect(rows.map { $0["address"] as? String } == ["full@example.com", "gone@example.com"])
        #expect(rows.last?["reason"] as? String == "550 5.1.1 no such user (2026-11-23T18:45:21Z, job j1)")

        let removed = try cli.run(["email", "unsuppress", "GONE@example.com"])
        #expect(removed.exitCode == 0 && removed.stdout == "gone@example.com removed from the suppression list\n", "\(removed)")
        #expect(try list.contains("gone@example.com") == false)
        #expect(try list.contains("full@example.com"))
        let missing = try cli.run(["email", "unsuppress", "gone@example.com", "--json"])
        #expect(missing.exitCode == 3 && missing.stderr.contains("gone@example.com is not suppressed"), "\(missing)")
        try list.removeAll()
        let none = try cli.run(["email", "suppressed"])
        #expect(none.exitCode == 0 && none.stdout.contains("no suppressed addresses"), "\(none)")
    }
}
