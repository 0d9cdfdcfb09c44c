import Foundation
import SpoolTestSupport
import Spool
import SpoolWorker
import Testing

/// A group of concurrency 1 runs one thread that leases its own jobs in batches and sends their completions
/// with its next fetch. These tests hold it to the same guarantees as a dispatcher group.
@Suite("Worker runtime: a concurrency-1 group leasing its own jobs")
struct SoloWorkerTests {
    static let noop = NewJob(kind: "spool.noop", validatedJSON: Array("{}".utf8))

    static func sleep(_ ms: Int) -> NewJob {
        NewJob(kind: "spool.sleep", validatedJSON: Array(#"{"ms":\#(ms)}"#.utf8))
    }

    /// Runs enough no-op jobs that the worker's recent pace makes it lease full batches.
    static func warmUp(_ queue: Queue) throws {
        _ = try queue.enqueue(Array(repeating: noop, count: 200))
        #expect(try WorkerTestEnvironment.eventually { try queue.stats().completed == 200 })
    }

    @Test("SIGTERM drain: the running job finishes; jobs leased with it but not started go back to ready unrun")
    func drainHandsBackBatch() throws {
        let client = try WorkerTestEnvironment.client("solo-drain")
        let queue = try client.queue("q")
        let worker = WorkerTestEnvironment.worker(client, concurrency: 1)
        try worker.start()
        try Self.warmUp(queue)
        // One batch: a job that runs 500 ms, then ten that wait behind it on this one thread.
        let ids = try queue.enqueue([Self.sleep(500)] + Array(repeating: Self.noop, count: 10)).map(\.id)
        #expect(WorkerTestEnvironment.eventually { worker.busyCount == 1 })
        #expect(try queue.stats().active == 11, "the ten were leased in the same batch")
        worker.shutdown(grace: .seconds(3))
        #expect(try queue.job(id: ids[0])?.state == .done)
        for id in ids.dropFirst() {
            let job = try #require(try queue.job(id: id))
            #expect(job.state == .ready && job.attempts == 0, "\(job.state) after \(job.attempts) attempt(s)")
        }
        #expect(try queue.stats().active == 0 && queue.stats().completed == 201)
    }

    @Test("SIGTERM past the grace period: the running job and its batch go back to ready at once")
    func drainPastGrace() throws {
        let client = try WorkerTestEnvironment.client("solo-grace")
        let queue = try client.queue("q")
        let worker = WorkerTestEnvironment.worker(client, concurrency: 1)
        try worker.start()
        try Self.warmUp(queue)
        let ids = try queue.enqueue([Self.sleep(60_000)] + Array(repeating: Self.noop, count: 3)).map(\.id)
        #expect(WorkerTestEnvironment.eventually { worker.busyCount == 1 })
        let started = ContinuousClock.now
        worker.shutdown(grace: .milliseconds(300))
        #expect(ContinuousClock.now - started < .seconds(3))
        for id in ids {
            let job = try #require(try queue.job(id: id))
            #expect(job.state == .ready && job.attempts == 0, "\(job.state) after \(job.attempts) attempt(s)")
        }
        #expect(try queue.stats().active == 0)
    }

    @Test("jobs leased in a batch keep their leases while they wait behind a slow job")
    func batchLeasesAreRenewed() throws {
        let client = try WorkerTestEnvironment.client("solo-renew")
        let queue = try client.queue("q")
        let worker = WorkerTestEnvironment.worker(client, concurrency: 1) { $0.lease = .milliseconds(600) }
        try worker.start()
        defer { worker.shutdown(grace: .seconds(1)) }
        try Self.warmUp(queue)
        // The five no-ops wait 1.5 s, more than twice their lease; the reaper runs every 200 ms.
        _ = try queue.enqueue([Self.sleep(1500)] + Array(repeating: Self.noop, count: 5))
        #expect(try WorkerTestEnvironment.eventually { try queue.stats().completed == 206 })
        #expect(WorkerTestEnvironment.eventually { worker.metrics.count(queue: "q", kind: "spool.noop", outcome: "completed") == 205 })
        #expect(worker.metrics.count(queue: "q", kind: "spool.noop", outcome: "lost") == 0)
        #expect(try queue.stats().ready == 0 && queue.stats().active == 0)
    }

    @Test("a lease lost while the job runs: the late completion is rejected, and the thread goes on")
    func lostLeaseRejectsCompletion() throws {
        let client = try WorkerTestEnvironment.client("solo-lost")
        let queue = try client.queue("q")
        let worker = WorkerTestEnvironment.worker(client, concurrency: 1)
        try worker.start()
        defer { worker.shutdown(grace: .seconds(1)) }
        // Blocks its thread for 400 ms and ignores cancellation, then reports success.
        let id = try queue.enqueue(NewJob(kind: "spool.sleep", json: #"{"ms":400,"ignoreCancellation":true}"#)).id
        #expect(WorkerTestEnvironment.eventually { worker.busyCount == 1 })
        // Another worker took the job over (as after a reap): the token changes under this one.
        _ = try client.withConnection { (redis) throws(RedisError) in
            try redis.command("HSET", RedisArgument(queue.keys.job(id)), "token", "another-worker:1")
        }
        #expect(WorkerTestEnvironment.eventually { worker.metrics.count(queue: "q", kind: "spool.sleep", outcome: "lost") == 1 })
        let job = try #require(try queue.job(id: id))
        #expect(job.state == .active, "the stale completion was applied: \(job.state)")
        #expect(try queue.stats().completed == 0)
        _ = try queue.enqueue(Self.noop)
        #expect(try WorkerTestEnvironment.eventually { try queue.stats().completed == 1 })
    }

    @Test("a Redis outage mid-stream: completions taken for a call that failed are sent once Redis is back")
    func outageKeepsCompletions() throws {
        let server = try PrivateRedisServer()
        defer { server.stop() }
        let client = try WorkerTestEnvironment.client("solo-outage", url: server.url)
        let queue = try client.queue("q")
        _ = try queue.enqueue(Array(repeating: Self.sleep(2), count: 300))
        // The default 30 s lease: a completion dropped in the outage would leave its job active past the limit below.
        let worker = WorkerTestEnvironment.worker(client, concurrency: 1)
        try worker.start()
        defer { worker.shutdown(grace: .seconds(1)) }
        #expect(try WorkerTestEnvironment.eventually { try queue.stats().completed >= 50 })
        try server.restartKeepingData()
        #expect(try WorkerTestEnvironment.eventually(.seconds(20)) { try queue.stats().completed == 300 })
        #expect(try queue.stats().active == 0 && queue.stats().ready == 0)
        // Every completion was sent and counted (one whose reply the restart cut reports its lease as lost).
        let completed = worker.metrics.count(queue: "q", kind: "spool.sleep", outcome: "completed")
        let lost = worker.metrics.count(queue: "q", kind: "spool.sleep", outcome: "lost")
        #expect(completed == 300 - lost, "completed \(completed), lost \(lost)")
    }
}
