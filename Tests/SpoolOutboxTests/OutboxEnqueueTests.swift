import Foundation
import Spool
import SpoolOutbox
import Testing

@Suite("Outbox: enqueue inside the producer's transaction")
struct OutboxEnqueueTests {
    @Test("rollback leaves no row and no job; commit gives exactly one job, with its options")
    func rollbackAndCommit() throws {
        let fixture = try OutboxFixture("enqueue")
        defer { fixture.close() }
        let relay = try fixture.relay()
        let runAt = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded())
        let options = JobOptions(
            priority: 7, runAt: runAt, maxAttempts: 4, backoff: .fixed(.seconds(3)), timeout: .seconds(9),
            uniqueKey: "user-42", uniqueFor: .seconds(60))

        let rolledBackID = Shared<String?>(nil)
        #expect(throws: SimulatedCrash.self) {
            try fixture.db.transaction { tx in
                rolledBackID.value.withLock { $0 = try? fixture.outbox.enqueue(testJob(1), queue: "mail", in: tx) }
                throw SimulatedCrash()
            }
        }
        let committedID = try fixture.db.transaction { tx in
            try fixture.outbox.enqueue(testJob(2, kind: "email.welcome", options: options), queue: "mail", in: tx)
        }
        #expect(try fixture.rows().map(\.jobID) == [committedID])
        let summary = try relay.publishPending()
        #expect(summary.published == 1 && summary.claimed == 1)

        let queue = try fixture.client.queue("mail")
        #expect(try fixture.idsInRedis(queue: "mail") == [committedID])
        let rolledBack = try #require(rolledBackID.value.withLock { $0 })
        #expect(try queue.job(id: rolledBack) == nil)
        let job = try #require(try queue.job(id: committedID))
        #expect(job.kind == "email.welcome" && job.payloadText == #"{"n":2}"#)
        #expect(job.state == .scheduled && job.priority == 7 && job.maxAttempts == 4)
        #expect(job.backoff?.encoded == "fixed:3000" && job.timeout == .seconds(9) && job.uniqueKey == "user-42")
        #expect(job.runAt.map { abs($0.timeIntervalSince(runAt)) < 0.002 } == true)
        #expect(try fixture.rows().map(\.published) == [true])
        // A second pass finds nothing.
        #expect(try relay.publishPending().claimed == 0)
    }

    @Test("ids: UUIDv7 assigned up front, or the one the options carry; a repeated id is one job")
    func ids() throws {
        let fixture = try OutboxFixture("ids")
        defer { fixture.close() }
        let ids = try fixture.db.transaction { tx in
            try fixture.outbox.enqueue(
                [testJob(1), testJob(2, options: JobOptions(id: "order-17")), testJob(3)], queue: "q", in: tx)
        }
        #expect(ids.count == 3 && ids[1] == "order-17")
        for id in [ids[0], ids[2]] {
            #expect(id.count == 36 && Array(id)[14] == "7", "\(id) is not a UUIDv7")
        }
        // The same id again (in another transaction) is skipped, not an error.
        let again = try fixture.db.transaction { tx in
            try fixture.outbox.enqueue(testJob(99, options: JobOptions(id: "order-17")), queue: "q", in: tx)
        }
        #expect(again == "order-17")
        // One statement: rows in the order given.
        #expect(try fixture.rows().map(\.jobID) == ids)
        let relay = try fixture.relay()
        #expect(try relay.publishPending().published == 3)
        #expect(Set(try fixture.idsInRedis(queue: "q")) == Set(ids))
        #expect(try fixture.enqueuedCounter(queue: "q") == 3)
        let job = try #require(try fixture.client.queue("q").job(id: "order-17"))
        #expect(job.payloadText == #"{"n":2}"#)
    }

    @Test("jobs are checked up front with the same errors as the Redis path; nothing is written")
    func validation() throws {
        let fixture = try OutboxFixture("validation")
        defer { fixture.close() }
        let queue = try fixture.client.queue("q")
        let tooBig = NewJob(kind: "big", validatedJSON: Array("\"\(String(repeating: "x", count: 1 << 20))\"".utf8))
        let cases: [(String, NewJob, String)] = [
            ("payload over 1 MiB", tooBig, "q"),
            ("priority out of range", testJob(1, options: JobOptions(priority: 40_000)), "q"),
            ("max attempts 0", testJob(1, options: JobOptions(maxAttempts: 0)), "q"),
            ("negative delay", testJob(1, options: JobOptions(delay: .seconds(-1))), "q"),
            ("zero timeout", testJob(1, options: JobOptions(timeout: .zero)), "q"),
            ("custom backoff", testJob(1, options: JobOptions(backoff: .custom { _ in .seconds(1) })), "q"),
            ("empty unique key", testJob(1, options: JobOptions(uniqueKey: "")), "q"),
            ("bad job id", testJob(1, options: JobOptions(id: "has space")), "q"),
            ("empty kind", NewJob(kind: "", validatedJSON: Array("{}".utf8)), "q"),
        ]
        for (label, job, queueName) in cases {
            var redisError: SpoolError?
            do { _ = try queue.enqueue([job]) } catch { redisError = error }
            let outboxError = #expect(throws: OutboxError.self, "\(label)") {
                try fixture.db.transaction { tx in try fixture.outbox.enqueue(job, queue: queueName, in: tx) }
            }
            let expected = try #require(redisError, "\(label): the Redis path accepted it")
            #expect(outboxError?.spoolError?.description == expected.description, "\(label)")
            #expect(outboxError?.description == expected.description, "\(label)")
        }
        let tooLarge = outboxError { () throws(OutboxError) in _ = try fixture.outbox.statement(for: tooBig, queue: "q") }
        guard case .invalidJob(.payloadTooLarge(let queueName, let kind, let bytes, let limit))? = tooLarge else {
            Issue.record("expected payloadTooLarge, got \(String(describing: tooLarge))")
            return
        }
        #expect(queueName == "q" && kind == "big" && bytes == (1 << 20) + 2 && limit == 1 << 20)
        // A queue name Redis would refuse.
        let badQueue = #expect(throws: OutboxError.self) {
            try fixture.db.transaction { tx in try fixture.outbox.enqueue(testJob(1), queue: "a{b}", in: tx) }
        }
        let redisQueueError = #expect(throws: SpoolError.self) { try fixture.client.queue("a{b}") }
        #expect(badQueue?.description == redisQueueError?.description)
        // A failed check does not spoil the caller's transaction.
        let id = try fixture.db.transaction { tx in
            _ = try? fixture.outbox.enqueue(tooBig, queue: "q", in: tx)
            return try fixture.outbox.enqueue(testJob(5), queue: "q", in: tx)
        }
        #expect(try fixture.rows().map(\.jobID) == [id])
    }

    @Test("a delay counts from the row's creation, so relay lag does not add to it")
    func delay() throws {
        let fixture = try OutboxFixture("delay")
        defer { fixture.close() }
        let id = try fixture.db.transaction { tx in
            try fixture.outbox.enqueue(testJob(1, options: JobOptions(delay: .seconds(600))), queue: "q", in: tx)
        }
        let createdMs = try #require(
            try fixture.db.query("SELECT (extract(epoch FROM created_at) * 1000)::bigint FROM \(fixture.table)").int64(0, 0))
        Thread.sleep(forTimeInterval: 0.3)
        try fixture.relay().publishPending()
        let job = try #require(try fixture.client.queue("q").job(id: id))
        #expect(job.state == .scheduled)
        let runAtMs = try #require(job.runAt).timeIntervalSince1970 * 1000
        #expect(abs(runAtMs - Double(createdMs + 600_000)) < 2, "run at \(runAtMs), created \(createdMs)")
    }

    @Test("many jobs go in one INSERT, with one NOTIFY at COMMIT and none on rollback")
    func oneStatementOneNotify() throws {
        let fixture = try OutboxFixture("notify")
        defer { fixture.close() }
        let listener = try TestDatabase.connect()
        defer { listener.close() }
        try listener.listen(fixture.configuration.channel)
        let jobs = (0..<250).map { testJob($0) }
        #expect(throws: SimulatedCrash.self) {
            try fixture.db.transaction { tx in
                try fixture.outbox.enqueue(jobs, queue: "q", in: tx)
                throw SimulatedCrash()
            }
        }
        #expect(try listener.waitForNotifications(timeout: .milliseconds(200)).isEmpty)
        let ids = try fixture.db.transaction { tx in try fixture.outbox.enqueue(jobs, queue: "q", in: tx) }
        let notes = try listener.waitForNotifications(timeout: .seconds(5))
        #expect(notes.map(\.channel) == [fixture.configuration.channel])
        #expect(try listener.waitForNotifications(timeout: .milliseconds(100)).isEmpty)
        #expect(try fixture.rows().map(\.jobID) == ids)
        // The relay keeps draining while batches are full: 250 rows in batches of 100.
        let summary = try fixture.relay(batchSize: 100).publishPending()
        #expect(summary.published == 250)
        #expect(try fixture.idsInRedis(queue: "q").count == 250)
    }
}
