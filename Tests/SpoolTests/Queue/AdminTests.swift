import SpoolTestSupport
import Foundation
import Spool
import Testing

@Suite("Admin: list, show, delete, purge")
struct AdminTests {
    @Test("list pages through a state with cursors, filtered by kind")
    func paging() throws {
        let fixture = try QueueFixture("list")
        let queue = try fixture.queue()
        _ = try queue.enqueue(QueueFixture.jobs(250, kind: "a") + QueueFixture.jobs(50, kind: "b"))
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try queue.list(state: .ready, limit: 40, cursor: cursor)
            seen.append(contentsOf: page.jobs.map(\.id))
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil
        #expect(seen.count == 300 && Set(seen).count == 300 && pages == 8)
        let onlyB = try queue.list(state: .ready, kind: "b", limit: 100)
        #expect(onlyB.jobs.count == 50 && onlyB.jobs.allSatisfy { $0.kind == "b" } && onlyB.nextCursor == nil)
        // Deleting the cursor's job between pages does not lose or repeat others.
        let first = try queue.list(state: .ready, limit: 10)
        let last = try #require(first.jobs.last)
        #expect(try queue.delete(id: last.id))
        let second = try queue.list(state: .ready, limit: 10, cursor: first.nextCursor)
        #expect(Set(second.jobs.map(\.id)).isDisjoint(with: first.jobs.map(\.id)))
        let everything = try queue.list(state: .ready, limit: 1000).jobs.map(\.id)
        #expect(second.jobs.map(\.id) == Array(everything[9..<19]))
        #expect(try queue.delete(id: last.id) == false)
        #expect(try queue.job(id: last.id) == nil)
        #expect { try queue.list(state: .ready, cursor: "garbage") } throws: { "\($0)".contains("malformed cursor") }
    }

    @Test("purge removes by state, age and kind; a dry run removes nothing")
    func purge() throws {
        let fixture = try QueueFixture("purge")
        let queue = try fixture.queue()
        _ = try queue.enqueue(QueueFixture.jobs(30, kind: "old"))
        Thread.sleep(forTimeInterval: 0.3)
        _ = try queue.enqueue(QueueFixture.jobs(20, kind: "new"))
        #expect(try queue.purge(state: .ready, olderThan: .milliseconds(200), dryRun: true) == 30)
        #expect(try queue.stats().ready == 50)
        #expect(try queue.purge(state: .ready, olderThan: .milliseconds(200), batch: 7) == 30)
        #expect(try queue.stats().ready == 20)
        #expect(try queue.purge(state: .ready, kind: "nope") == 0)
        for job in try queue.fetch(count: 20, tokenPrefix: "w").jobs { _ = try queue.fail(job, error: "x", disposition: .permanent) }
        #expect(try queue.purge(state: .dead, olderThan: .seconds(60)) == 0)
        #expect(try queue.purge(state: .dead) == 20)
        #expect(try queue.stats().dead == 0)
    }

    @Test("list and purge on a 200,000-job queue never hold Redis for 50 ms in one call")
    func boundedWork() throws {
        let server = try PrivateRedisServer()
        let fixture = try QueueFixture("big", url: server.url)
        let queue = try fixture.queue()
        let admin = try RedisConnection(url: server.url)
        let jobs = QueueFixture.jobs(200_000) { JobOptions(priority: $0 % 3) }
        var start = 0
        while start < jobs.count {
            _ = try queue.enqueue(Array(jobs[start..<min(start + 5000, jobs.count)]))
            start += 5000
        }
        #expect(try queue.stats().ready == 200_000)
        try admin.command("CONFIG", "SET", "slowlog-log-slower-than", "50000")
        try admin.command("SLOWLOG", "RESET")
        var cursor: String?
        for _ in 0..<20 {
            let page = try queue.list(state: .ready, kind: "test", limit: 1000, cursor: cursor)
            cursor = page.nextCursor
        }
        _ = try queue.stats()
        #expect(try queue.purge(state: .ready, kind: "test", dryRun: true) == 200_000)
        #expect(try queue.purge(state: .ready) == 200_000)
        let slow = try admin.command("SLOWLOG", "GET", "100").array ?? []
        let described = slow.map { entry in (entry.array ?? []).map { "\($0)" }.joined(separator: " ") }
        #expect(slow.isEmpty, "calls over 50 ms: \(described)")
        #expect(try queue.stats().ready == 0)
    }
}
