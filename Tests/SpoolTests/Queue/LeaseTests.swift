import Foundation
import Spool
import Testing

@Suite("Leases, stalls and stale workers")
struct LeaseTests {
    @Test("an expired lease is reaped back to ready and fetched again; the old worker's answers are rejected")
    func reapAndStaleToken() throws {
        let fixture = try QueueFixture("lease")
        let queue = try fixture.queue()
        let id = try queue.enqueue(kind: "k", json: "{}").id
        let dead = try #require(try queue.fetch(count: 1, lease: .milliseconds(100), tokenPrefix: "dead-worker").jobs.first)
        #expect(try queue.reap().returned == 0, "the lease has not expired yet")
        Thread.sleep(forTimeInterval: 0.15)
        #expect(try queue.reap() == (1, 0))
        let second = try #require(try queue.fetch(count: 1, tokenPrefix: "live-worker").jobs.first)
        #expect(second.id == id && second.token != dead.token)
        #expect(second.attempt == 1, "a stall does not use up an attempt")
        #expect(second.stalls == 1)
        // The first worker wakes up late: its complete and fail change nothing.
        #expect(try queue.complete(dead.lease) == false)
        #expect(try queue.fail(dead, error: "late", disposition: .permanent) == .stale)
        #expect(try queue.renew([dead.lease]) == [id])
        let job = try #require(try queue.job(id: id))
        #expect(job.state == .active && job.errors.map(\.kind) == ["stalled"])
        // The live worker's answer counts.
        #expect(try queue.renew([second.lease]) == [])
        #expect(try queue.complete(second.lease))
        #expect(try queue.stats().completed == 1)
    }

    @Test("renewing keeps a lease alive past its original deadline")
    func renewal() throws {
        let fixture = try QueueFixture("renew")
        let queue = try fixture.queue()
        _ = try queue.enqueue(QueueFixture.jobs(3))
        let jobs = try queue.fetch(count: 3, lease: .milliseconds(150), tokenPrefix: "w").jobs
        for _ in 0..<4 {
            Thread.sleep(forTimeInterval: 0.08)
            #expect(try queue.renew(jobs.map(\.lease), for: .milliseconds(150)) == [])
        }
        #expect(try queue.reap().returned == 0)
        #expect(try jobs.allSatisfy { try queue.complete($0.lease) })
    }

    @Test("a job that stalls more than the limit goes dead with reason stalled")
    func stalledTooOften() throws {
        let fixture = try QueueFixture("stall")
        let queue = try fixture.queue()
        let id = try queue.enqueue(kind: "k", json: "{}").id
        for round in 1...3 {
            _ = try #require(try queue.fetch(count: 1, lease: .milliseconds(20), tokenPrefix: "w\(round)").jobs.first)
            Thread.sleep(forTimeInterval: 0.04)
            let reaped = try queue.reap(maxStalls: 2)
            #expect(round < 3 ? reaped == (1, 0) : reaped == (0, 1))
        }
        let job = try #require(try queue.job(id: id))
        #expect(job.state == .dead && job.deadReason == "stalled" && job.stalls == 3)
        #expect(job.errors.count == 3)
        #expect(try queue.stats().dead == 1)
    }

    @Test("release hands jobs back to ready at once, in their old place, without using an attempt")
    func release() throws {
        let fixture = try QueueFixture("release")
        let queue = try fixture.queue()
        _ = try queue.enqueue(QueueFixture.jobs(5))
        let jobs = try queue.fetch(count: 2, tokenPrefix: "w").jobs
        #expect(try queue.release(jobs.map(\.lease)) == 2)
        let again = try queue.fetch(count: 5, tokenPrefix: "w2").jobs
        #expect(again.compactMap(\.n) == [0, 1, 2, 3, 4])
        #expect(again.allSatisfy { $0.attempt == 1 })
        #expect(try queue.release(jobs.map(\.lease)) == 0, "old tokens release nothing")
    }
}
