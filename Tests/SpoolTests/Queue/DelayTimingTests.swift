import Foundation
import Spool
import Testing

@Suite("Delays and wake-ups")
struct DelayTimingTests {
    /// A worker loop: fetch, else block on the wake marker no longer than the next due time. Returns the first
    /// job and when it was fetched, or nil after `limit`.
    static func waitForJob(_ queue: Queue, _ client: SpoolClient, limit: Duration = .seconds(5)) throws -> (LeasedJob, ContinuousClock.Instant)? {
        let redis = try client.pool.checkOut()
        defer { client.pool.checkIn(redis) }
        // Waiting gets a connection of its own, as a worker's would.
        let waiter = try client.pool.checkOut()
        defer { client.pool.checkIn(waiter) }
        let deadline = ContinuousClock.now + limit
        var fetches = 0
        while ContinuousClock.now < deadline {
            let result = try queue.fetch(count: 1, lease: .seconds(30), tokenPrefix: "w", on: redis)
            fetches += 1
            if let job = result.jobs.first { return (job, ContinuousClock.now) }
            #expect(fetches < 20, "the worker is polling: \(fetches) fetches")
            let wait = min(result.nextDueIn ?? .seconds(5), deadline - ContinuousClock.now)
            _ = try client.waitForWork(queues: [queue.name], timeout: max(wait, .milliseconds(1)), on: waiter)
        }
        return nil
    }

    @Test("a delayed job is not fetchable early and is fetched within 10 ms of its time, from a blocked wait")
    func delayedJob() throws {
        let fixture = try QueueFixture("delay")
        let queue = try fixture.queue()
        let enqueuedAt = ContinuousClock.now
        let result = try queue.enqueue(kind: "k", json: "{}", options: JobOptions(delay: .milliseconds(400)))
        #expect(result == .created(id: result.id, state: .scheduled))
        let early = try queue.fetch(count: 1, tokenPrefix: "w")
        #expect(early.jobs.isEmpty)
        let due = try #require(early.nextDueIn)
        #expect(due > .milliseconds(300) && due <= .milliseconds(400))
        let (job, fetchedAt) = try #require(try Self.waitForJob(queue, fixture.client))
        #expect(job.id == result.id)
        let late = fetchedAt - (enqueuedAt + .milliseconds(400))
        #expect(late >= .milliseconds(-2), "fetched \(late) before its time")
        #expect(late <= .milliseconds(10), "fetched \(late) after its time")
    }

    @Test("a blocked worker wakes at once for a new job, and shortens its wait for a new delayed one")
    func wakeOnEnqueue() throws {
        let fixture = try QueueFixture("wake")
        let queue = try fixture.queue()
        _ = try queue.fetch(count: 1, tokenPrefix: "w")
        let producer = Thread {
            Thread.sleep(forTimeInterval: 0.2)
            _ = try? queue.enqueue(kind: "k", json: "{}", options: JobOptions(delay: .milliseconds(300)))
        }
        let started = ContinuousClock.now
        producer.start()
        let (_, fetchedAt) = try #require(try Self.waitForJob(queue, fixture.client, limit: .seconds(5)))
        let elapsed = fetchedAt - started
        #expect(elapsed >= .milliseconds(480) && elapsed <= .milliseconds(560), "fetched after \(elapsed)")
    }

    @Test("a retry waiting out its backoff is fetched within 10 ms of its time")
    func retryBackoff() throws {
        let fixture = try QueueFixture("retry-wake")
        let queue = try fixture.queue()
        _ = try queue.enqueue(kind: "k", json: "{}")
        let first = try #require(try queue.fetch(count: 1, tokenPrefix: "w").jobs.first)
        let failedAt = ContinuousClock.now
        #expect(try queue.fail(first, error: "boom", disposition: .retryAfter(.milliseconds(300))) == .retrying(attempts: 1, delay: .milliseconds(300)))
        let (again, fetchedAt) = try #require(try Self.waitForJob(queue, fixture.client))
        #expect(again.id == first.id && again.attempt == 2 && again.lastError == "boom")
        let late = fetchedAt - (failedAt + .milliseconds(300))
        #expect(late >= .milliseconds(-2) && late <= .milliseconds(10), "fetched \(late) after its time")
    }

    @Test("a job with an absolute run-at time waits for it")
    func runAt() throws {
        let fixture = try QueueFixture("runat")
        let queue = try fixture.queue()
        _ = try queue.enqueue(kind: "k", json: "{}", options: JobOptions(runAt: Date().addingTimeInterval(0.25)))
        #expect(try queue.fetch(count: 1, tokenPrefix: "w").jobs.isEmpty)
        #expect(try queue.stats().scheduled == 1)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try queue.fetch(count: 1, tokenPrefix: "w").jobs.count == 1)
    }
}
