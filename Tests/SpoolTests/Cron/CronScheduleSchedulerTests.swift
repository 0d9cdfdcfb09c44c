import Foundation
import Spool
import Synchronization
import Testing

@Suite("cron scheduler firing (Redis)")
struct CronScheduleSchedulerTests {
    /// Ids of every job in `queue` (all states).
    static func jobIDs(_ queue: Queue) throws -> [String] {
        var ids: [String] = []
        for state in JobState.allCases {
            ids += try queue.list(state: state, limit: 1000).jobs.map(\.id)
        }
        return ids
    }

    /// A whole 10-second boundary a little in the past, so explicit `now`s are realistic.
    static func base() -> Double {
        (Date().timeIntervalSince1970 / 10).rounded(.down) * 10 - 600
    }

    @Test func threeSchedulersFireEverySlotExactlyOnce() throws {
        let url = try TestEnvironment.redisURL()
        let prefix = TestEnvironment.uniqueNamespace("cronrace")
        let clients = try (0..<3).map { _ in
            SpoolClient(configuration: try RedisConfiguration(url: url), prefix: prefix, poolSize: 2)
        }
        try clients[0].cronRegistry.upsert(CronSchedule(name: "every-second", expression: "* * * * * *", queue: "cron", kind: "tick"))
        let fired = Mutex<[FiredRun]>([])
        let failures = Mutex<[String]>([])
        let started = Date()
        let deadline = started.addingTimeInterval(4.2)
        DispatchQueue.concurrentPerform(iterations: 3) { index in
            let scheduler = CronScheduler(client: clients[index], tolerance: .milliseconds(1100))
            while Date() < deadline {
                do {
                    let runs = try scheduler.tick(now: Date())
                    fired.withLock { $0 += runs }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
                Thread.sleep(forTimeInterval: 0.05 + Double(index) * 0.02)
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let queue = try clients[0].queue("cron")
        let ids = try Self.jobIDs(queue)
        let slots = ids.compactMap { id -> Int? in
            guard id.hasPrefix("cron:every-second:") else { return nil }
            return Int(id.dropFirst("cron:every-second:".count))
        }.sorted()
        #expect(slots.count == ids.count)
        #expect(Set(slots).count == slots.count, "duplicate slots: \(slots)")
        let first = try #require(slots.first)
        let last = try #require(slots.last)
        #expect(slots == Array(first...last), "gaps in \(slots)")
        #expect(slots.count >= 3, "only \(slots.count) slots fired in ~4 s")
        // The first slot is after the schedule was first seen: no fire for the past.
        #expect(Double(first) > started.timeIntervalSince1970 - 1)
        #expect(try queue.stats().enqueued == slots.count)
        let reported = fired.withLock { $0 }
        #expect(reported.count == slots.count)
        #expect(Set(reported.map(\.jobID)) == Set(ids))
        #expect(reported.allSatisfy { !$0.isCatchUp })
    }

    /// Stopped for 5 slots of a 10-second schedule, then restarted.
    func downtime(policy: CronMissedRunPolicy) throws -> (fired: [FiredRun], ids: [String], base: Double) {
        let fixture = try QueueFixture("crondown")
        try fixture.client.cronRegistry.upsert(CronSchedule(name: "ten", expression: "*/10 * * * * *", queue: "q", kind: "k",
                                                            missedRuns: policy))
        let scheduler = CronScheduler(client: fixture.client)
        let base = Self.base()
        var fired = try scheduler.tick(now: Date(timeIntervalSince1970: base + 0.5))
        #expect(fired.isEmpty, "a new schedule does not fire for the past")
        fired = try scheduler.tick(now: Date(timeIntervalSince1970: base + 10.3))
        #expect(fired.map(\.jobID) == ["cron:ten:\(Int(base) + 10)"])
        // Down from base+10.3 to base+65: slots +20 … +60 pass unseen; +60 is 5 s old (beyond the 2 s tolerance).
        let afterDowntime = try scheduler.tick(now: Date(timeIntervalSince1970: base + 65))
        // Running again: the next slot fires normally.
        fired = try scheduler.tick(now: Date(timeIntervalSince1970: base + 70.4))
        #expect(fired.map(\.jobID) == ["cron:ten:\(Int(base) + 70)"])
        #expect(try scheduler.tick(now: Date(timeIntervalSince1970: base + 71)).isEmpty)
        return (afterDowntime, try Self.jobIDs(fixture.queue()), base)
    }

    @Test func skipFiresNoCatchUpAfterDowntime() throws {
        let (fired, ids, base) = try downtime(policy: .skip)
        #expect(fired.isEmpty)
        #expect(Set(ids) == ["cron:ten:\(Int(base) + 10)", "cron:ten:\(Int(base) + 70)"])
    }

    @Test func onceFiresExactlyOneCatchUpAfterDowntime() throws {
        let (fired, ids, base) = try downtime(policy: .once)
        #expect(fired.count == 1)
        #expect(fired.first?.jobID == "cron:ten:\(Int(base) + 60)")
        #expect(fired.first?.isCatchUp == true)
        #expect(Set(ids) == ["cron:ten:\(Int(base) + 10)", "cron:ten:\(Int(base) + 60)", "cron:ten:\(Int(base) + 70)"])
    }

    @Test func everySecondScheduleSkipsTheMissedSlotsButFiresTheCurrentOne() throws {
        let fixture = try QueueFixture("crondown1")
        try fixture.client.cronRegistry.upsert(CronSchedule(name: "s", expression: "* * * * * *", queue: "q", kind: "k"))
        let scheduler = CronScheduler(client: fixture.client, tolerance: .milliseconds(1100))
        let base = Self.base()
        #expect(try scheduler.tick(now: Date(timeIntervalSince1970: base + 0.2)).isEmpty)
        // Stopped for 5 slots (+1 … +5); at +6.2 only the current slot +6 fires.
        let fired = try scheduler.tick(now: Date(timeIntervalSince1970: base + 6.2))
        #expect(fired.map(\.jobID) == ["cron:s:\(Int(base) + 6)"])
        #expect(try Self.jobIDs(fixture.queue()) == ["cron:s:\(Int(base) + 6)"])
    }

    @Test func noOverlapHoldsBackTheNextRunWhileThePreviousIsPending() throws {
        let fixture = try QueueFixture("cronoverlap")
        let registry = fixture.client.cronRegistry
        try registry.upsert(CronSchedule(name: "guarded", expression: "*/10 * * * * *", queue: "q", kind: "k", noOverlap: true))
        try registry.upsert(CronSchedule(name: "free", expression: "*/10 * * * * *", queue: "q", kind: "k"))
        let scheduler = CronScheduler(client: fixture.client)
        let base = Self.base()
        let slot = { (offset: Int) in Int(base) + offset }
        #expect(try scheduler.tick(now: Date(timeIntervalSince1970: base + 1)).isEmpty)
        var fired = try scheduler.tick(now: Date(timeIntervalSince1970: base + 10.5))
        #expect(Set(fired.map(\.jobID)) == ["cron:guarded:\(slot(10))", "cron:free:\(slot(10))"])

        // cron:guarded:+10 is still ready: +20 is not enqueued for it (skipped, not deferred).
        fired = try scheduler.tick(now: Date(timeIntervalSince1970: base + 20.5))
        #expect(fired.map(\.jobID) == ["cron:free:\(slot(20))"])
        let queue = try fixture.queue()
        #expect(try queue.job(id: "cron:guarded:\(slot(20))") == nil)
        #expect(try registry.lastFireSlot("guarded") == Date(timeIntervalSince1970: Double(slot(20))))

        // Still pending at +30 (the guard looks at the last run actually enqueued, not the skipped slot).
        fired = try scheduler.tick(now: Date(timeIntervalSince1970: base + 30.5))
        #expect(fired.map(\.jobID) == ["cron:free:\(slot(30))"])

        // Once the previous run is finished (here: deleted), the next slot fires again.
        #expect(try queue.delete(id: "cron:guarded:\(slot(10))"))
        fired = try scheduler.tick(now: Date(timeIntervalSince1970: base + 40.5))
        #expect(Set(fired.map(\.jobID)) == ["cron:guarded:\(slot(40))", "cron:free:\(slot(40))"])
    }

    @Test func disabledSchedulesDoNotFire() throws {
        let fixture = try QueueFixture("crondisabled")
        let registry = fixture.client.cronRegistry
        try registry.upsert(CronSchedule(name: "s", expression: "*/10 * * * * *", queue: "q", kind: "k", payload: #"{"a":1}"#,
                                         priority: 7))
        let scheduler = CronScheduler(client: fixture.client)
        let base = Self.base()
        #expect(try scheduler.tick(now: Date(timeIntervalSince1970: base + 1)).isEmpty)
        try registry.disable("s")
        #expect(try scheduler.tick(now: Date(timeIntervalSince1970: base + 10.5)).isEmpty)
        try registry.enable("s")
        let fired = try scheduler.tick(now: Date(timeIntervalSince1970: base + 20.5))
        #expect(fired.map(\.jobID) == ["cron:s:\(Int(base) + 20)"])
        let job = try #require(try fixture.queue().job(id: "cron:s:\(Int(base) + 20)"))
        #expect(job.kind == "k")
        #expect(job.priority == 7)
        #expect(job.payloadText == #"{"a":1}"#)
    }

    @Test func oneFailingScheduleDoesNotStopTheOthers() throws {
        let prefix = TestEnvironment.uniqueNamespace("cronfail")
        let client = SpoolClient(configuration: try RedisConfiguration(url: TestEnvironment.redisURL()), prefix: prefix,
                                 poolSize: 2, maxPayloadBytes: 16)
        let registry = client.cronRegistry
        try registry.upsert(CronSchedule(name: "big", expression: "*/10 * * * * *", queue: "q", kind: "k",
                                         payload: #"{"text":"longer than sixteen bytes"}"#))
        try registry.upsert(CronSchedule(name: "small", expression: "*/10 * * * * *", queue: "q", kind: "k"))
        // A hand-written entry this version cannot read is skipped, not fatal.
        _ = try client.withConnection { (redis) throws(RedisError) in
            try redis.command("HSET", RedisArgument(client.globalKeys.cronSchedules), "junk", "{not json")
        }
        #expect(try registry.list().map(\.schedule.name) == ["big", "small"])
        let scheduler = CronScheduler(client: client)
        let base = Self.base()
        #expect(try scheduler.tick(now: Date(timeIntervalSince1970: base + 1)).isEmpty)
        let report = try scheduler.tickReport(now: Date(timeIntervalSince1970: base + 10.5))
        #expect(report.fired.map(\.jobID) == ["cron:small:\(Int(base) + 10)"])
        #expect(report.failures.map(\.schedule) == ["big"])
        #expect(report.failures.first?.error.description.contains("bytes") == true)
        // The failed slot was not marked done: the next tick retries it (and throws again).
        #expect(try registry.lastFireSlot("big") == Date(timeIntervalSince1970: base))
        #expect(throws: CronScheduleError.self) { try scheduler.tick(now: Date(timeIntervalSince1970: base + 11)) }
    }
}
