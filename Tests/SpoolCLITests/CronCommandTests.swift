import Foundation
import Testing

/// `spool cron next`: fire times with offsets, in a time zone.
@Suite struct CronCommandTests {
    @Test func printsNextFireTimesWithOffsets() throws {
        let human = try SpoolCLI.runRaw(["cron", "next", "*/15 9-17 * * MON-FRI", "--tz", "Europe/Berlin",
                                         "--from", "2026-01-02T00:00:00Z", "--count", "3"])
        #expect(human.exitCode == 0, "\(human)")
        #expect(human.stdout == "2026-01-02T09:00:00+01:00\n2026-01-02T09:15:00+01:00\n2026-01-02T09:30:00+01:00\n")

        let json = try SpoolCLI.runRaw(["cron", "next", "0 2 * * *", "--tz", "America/New_York",
                                        "--from", "2026-03-07T12:00:00Z", "--count", "2", "--json"])
        #expect(json.exitCode == 0, "\(json)")
        let document = try json.json()
        #expect(document["timeZone"] as? String == "America/New_York")
        // 2026-03-08 02:00 does not exist in New York (DST starts); the library fires at 03:00 EDT instead.
        #expect(document["times"] as? [String] == ["2026-03-08T07:00:00.000Z", "2026-03-09T06:00:00.000Z"])
        #expect(document["localTimes"] as? [String] == ["2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00"])
        #expect(document["expression"] as? String == "0 2 * * *")
        #expect(document["from"] as? String == "2026-03-07T12:00:00.000Z")
    }
}
