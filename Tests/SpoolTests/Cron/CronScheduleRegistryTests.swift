import Foundation
import Spool
import Testing

@Suite("cron schedule registry (Redis)")
struct CronScheduleRegistryTests {
    @Test func upsertListGetEnableDisableDeleteRoundTrip() throws {
        let fixture = try QueueFixture("cronreg")
        let registry = fixture.client.cronRegistry
        let nightly = CronSchedule(name: "nightly", expression: "0 3 * * *", timeZone: "Europe/Berlin", queue: "reports",
                                   kind: "report.build", payload: #"{"full":true}"#, priority: 5, maxAttempts: 3,
                                   timeout: .seconds(90), missedRuns: .once, noOverlap: true)
        let minutely = CronSchedule(name: "minutely", expression: "* * * * *", queue: "q", kind: "tick")
        #expect(try registry.upsert(nightly))
        #expect(try registry.upsert(minutely))
        #expect(try registry.get("nightly") == nightly)
        #expect(try registry.get("missing") == nil)

        let now = Date(timeIntervalSince1970: 1_750_000_000) // 2025-06-15T15:06:40Z
        let listed = try registry.list(now: now)
        #expect(listed.map(\.schedule.name) == ["minutely", "nightly"])
        #expect(listed.allSatisfy { $0.lastFireSlot == nil })
        // 03:00 Berlin summer time is 01:00Z, next day.
        #expect(listed[1].nextFire == ISO8601DateFormatter().date(from: "2025-06-16T01:00:00Z"))
        #expect(listed[0].nextFire == Date(timeIntervalSince1970: 1_750_000_020))

        // Replacing keeps the name; it is not new.
        var changed = minutely
        changed.expression = "*/5 * * * *"
        #expect(try registry.upsert(changed) == false)
        #expect(try registry.get("minutely")?.expression == "*/5 * * * *")

        try registry.disable("nightly")
        #expect(try registry.get("nightly")?.enabled == false)
        #expect(try registry.list(now: now).first { $0.schedule.name == "nightly" }?.nextFire == nil)
        try registry.enable("nightly")
        #expect(try registry.get("nightly")?.enabled == true)
        #expect(try registry.get("nightly") == nightly)
        #expect(throws: CronScheduleError.self) { try registry.enable("missing") }

        // A tick initialises the last fire slot; delete clears it.
        let scheduler = CronScheduler(client: fixture.client)
        #expect(try scheduler.tick(now: now).isEmpty)
        #expect(try registry.lastFireSlot("minutely") == Date(timeIntervalSince1970: 1_749_999_900))
        #expect(try registry.list(now: now).first { $0.schedule.name == "minutely" }?.lastFireSlot
                == Date(timeIntervalSince1970: 1_749_999_900))
        #expect(try registry.delete("minutely"))
        #expect(try registry.delete("minutely") == false)
        #expect(try registry.get("minutely") == nil)
        #expect(try registry.lastFireSlot("minutely") == nil)
        #expect(try registry.list(now: now).map(\.schedule.name) == ["nightly"])
    }

    @Test func nextWakeIsTheEarliestEnabledFire() throws {
        let fixture = try QueueFixture("cronwake")
        let registry = fixture.client.cronRegistry
        let scheduler = CronScheduler(client: fixture.client)
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        #expect(try scheduler.nextWake(now: now) == nil)
        try registry.upsert(CronSchedule(name: "hourly", expression: "@hourly", queue: "q", kind: "k"))
        try registry.upsert(CronSchedule(name: "fast", expression: "*/10 * * * * *", queue: "q", kind: "k", enabled: false))
        #expect(try scheduler.nextWake(now: now) == Date(timeIntervalSince1970: 1_750_000_000 + 3200))
        try registry.enable("fast")
        #expect(try scheduler.nextWake(now: now) == Date(timeIntervalSince1970: 1_750_000_010))
    }

    @Test func serverClockTickInitialisesWithoutFiring() throws {
        let fixture = try QueueFixture("cronclock")
        try fixture.client.cronRegistry.upsert(CronSchedule(name: "s", expression: "* * * * * *", queue: "q", kind: "k"))
        let scheduler = CronScheduler(client: fixture.client)
        let server = try scheduler.serverTime()
        #expect(abs(server.timeIntervalSinceNow) < 5)
        #expect(try scheduler.tick().isEmpty)
        let last = try #require(try fixture.client.cronRegistry.lastFireSlot("s"))
        #expect(abs(last.timeIntervalSince(server)) <= 1)
    }

    @Test func invalidSchedulesAreRejectedWithClearMessages() throws {
        let fixture = try QueueFixture("cronbad")
        let registry = fixture.client.cronRegistry
        func message(_ schedule: CronSchedule) -> String {
            do {
                try registry.upsert(schedule)
                return "accepted"
            } catch {
                return error.description
            }
        }
        let bad = message(CronSchedule(name: "backup", expression: "61 * * * *", queue: "q", kind: "k"))
        #expect(bad.hasPrefix("cron schedule \"backup\": "))
        #expect(bad.contains("minute field"))
        #expect(bad.contains("\"61\""))
        #expect(message(CronSchedule(name: "few", expression: "* * *", queue: "q", kind: "k"))
                == "cron schedule \"few\": expected 5 or 6 fields, found 3")
        let zone = message(CronSchedule(name: "mars", expression: "* * * * *", timeZone: "Mars/Olympus_Mons", queue: "q", kind: "k"))
        #expect(zone.contains("unknown time zone \"Mars/Olympus_Mons\""))
        #expect(zone.hasPrefix("cron schedule \"mars\""))
        let queue = message(CronSchedule(name: "qq", expression: "* * * * *", queue: "bad queue", kind: "k"))
        #expect(queue.hasPrefix("cron schedule \"qq\": "))
        #expect(queue.contains("queue name \"bad queue\""))
        #expect(message(CronSchedule(name: "", expression: "* * * * *", queue: "q", kind: "k")).contains("must be 1–100 bytes"))
        #expect(message(CronSchedule(name: "a:b", expression: "* * * * *", queue: "q", kind: "k")).contains("colons"))
        #expect(message(CronSchedule(name: "p", expression: "* * * * *", queue: "q", kind: "k", payload: "{nope"))
            .hasPrefix("cron schedule \"p\": payload is not valid JSON"))
        #expect(message(CronSchedule(name: "pr", expression: "* * * * *", queue: "q", kind: "k", priority: 70000))
            .contains("priority 70000"))
        #expect(message(CronSchedule(name: "ma", expression: "* * * * *", queue: "q", kind: "k", maxAttempts: 0))
            .contains("max attempts"))
        #expect(message(CronSchedule(name: "ok", expression: "@daily", timeZone: "America/New_York", queue: "q", kind: "k")) == "accepted")
        // Nothing invalid was stored.
        #expect(try registry.list().map(\.schedule.name) == ["ok"])
    }
}
