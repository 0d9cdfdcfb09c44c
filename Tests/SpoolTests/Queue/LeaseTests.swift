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

    @Test("a job reaped and leased again by the same worker gets a new token: the worker's late answer for the old lease is refused")
    func sameWorkerReLease() throws {
        let fixture = try QueueFixture("relase")
        let queue = try fixture.queue()
        let id = try queue.enqueue(kind: "k", json: "{}").id
        let first = try #require(try queue.fetch(count: 1, lease: .milliseconds(50), tokenPrefix: "worker-1").jobs.first)
        Thread.sleep(forTimeInterval: 0.1)
        #expect(try queue.reap() == (1, 0))
        let again = try #require(try queue.fetch(count: 1, tokenPrefix: "worker-1").jobs.first)
        #expect(again.id == id && again.token != first.token, "\(first.token) vs \(again.token)")
        #expect(try queue.complete(first.lease) == false, "the stuck first attempt must not complete the second")
        #expect(try queue.job(id: id)?.state == .active)
        #expect(try queue.complete(again.lease))
    }

    @Test("completeAndFetch completes first (rejecting a stale lease), then leases the next jobs, in one call")
    func completeAndFetch() throws {
        let fixture = try QueueFixture("complete-fetch")
        let queue = try fixture.queue(retention: QueueRetention(keepCompletedDetails: true))
        _ = try queue.enqueue(QueueFixture.jobs(5))
        let redis = RedisConnection(configuration: fixture.client.pool.configuration)
        let first = try queue.fetch(count: 2, lease: .seconds(30), tokenPrefix: "w", on: redis).jobs
        #expect(first.map(\.n) == [0, 1])
        let stale = Lease(id: first[1].id, token: "another-worker:1")
        let answer = try queue.completeAndFetch([(lease: first[0].lease, result: "r0"), (lease: stale, result: nil)],
                                                count: 2, lease: .seconds(30), tokenPrefix: "w", on: redis)
        #expect(answer.applied == [true, false])
        #expect(answer.fetched.jobs.map(\.n) == [2, 3])
        let done = try #require(try queue.job(id: first[0].id))
        #expect(done.state == .done && done.result == "r0")
        #expect(try queue.job(id: first[1].id)?.state == .active, "a stale lease's completion changes nothing")
        // Without completions it is a plain fetch; an empty queue answers no jobs.
        let rest = try queue.completeAndFetch([], count: 10, lease: .seconds(30), tokenPrefix: "w", on: redis)
        #expect(rest.applied.isEmpty && rest.fetched.jobs.map(\.n) == [4])
        let all = (first + answer.fetched.jobs + rest.fetched.jobs).dropFirst()
        let last = try queue.completeAndFetch(all.map { (lease: $0.lease, result: nil) }, count: 10, lease: .seconds(30),
                                              tokenPrefix: "w", on: redis)
        #expect(last.applied == [true, true, true, true] && last.fetched.jobs.isEmpty)
        #expect(try queue.stats().completed == 5 && queue.stats().active == 0)
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
