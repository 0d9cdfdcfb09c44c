import Foundation
import Spool
import Testing

@Suite("Retries and dead letters")
struct RetryTests {
    @Test("full jitter: attempt n waits within [0, min(cap, base·factor^(n-1))], spread across the range")
    func jitterStatistics() {
        let policy = RetryPolicy.exponential(base: .milliseconds(100), factor: 2, cap: .seconds(5))
        var generator = SplitMix64(seed: 42)
        for attempt in 1...10 {
            let ceiling = min(5.0, 0.1 * Double(1 << (attempt - 1)))
            let bound = policy.ceiling(afterAttempt: attempt)
            #expect(abs(Double(bound.components.seconds) + Double(bound.components.attoseconds) / 1e18 - ceiling) < 1e-9)
            let draws = (0..<4000).map { _ in policy.delay(afterAttempt: attempt, using: &generator).inSeconds }
            #expect(draws.allSatisfy { $0 >= 0 && $0 <= ceiling + 1e-9 })
            let mean = draws.reduce(0, +) / Double(draws.count)
            #expect(abs(mean - ceiling / 2) < ceiling * 0.05, "attempt \(attempt): mean \(mean) vs \(ceiling / 2)")
            // Uniform: each quarter of the range gets about a quarter of the draws.
            for quarter in 0..<4 {
                let low = ceiling * Double(quarter) / 4
                let share = Double(draws.filter { $0 >= low && $0 < low + ceiling / 4 }.count) / Double(draws.count)
                #expect(abs(share - 0.25) < 0.04, "attempt \(attempt) quarter \(quarter): \(share)")
            }
        }
        #expect(RetryPolicy.fixed(.seconds(3)).delay(afterAttempt: 9) == .seconds(3))
        #expect(RetryPolicy.custom { .seconds($0 * 10) }.delay(afterAttempt: 4) == .seconds(40))
        #expect(RetryPolicy(encoded: RetryPolicy.standard.encoded ?? "")?.encoded == RetryPolicy.standard.encoded)
        #expect(RetryPolicy(encoded: "exp:x") == nil)
    }

    @Test("the backoff chosen in Redis stays inside the jitter bound")
    func backoffInRedis() throws {
        let fixture = try QueueFixture("backoff")
        let queue = try fixture.queue()
        let policy = RetryPolicy.exponential(base: .milliseconds(500), factor: 3, cap: .seconds(60))
        _ = try queue.enqueue(QueueFixture.jobs(40))
        let jobs = try queue.fetch(count: 40, tokenPrefix: "w").jobs
        for job in jobs {
            let before = Date()
            guard case .retrying(_, let delay) = try queue.fail(job, error: "x", disposition: .backoff(policy)) else {
                Issue.record("not retried"); continue
            }
            #expect(delay >= .zero && delay <= .milliseconds(500))
            let stored = try #require(try queue.job(id: job.id))
            let runAt = try #require(stored.runAt)
            #expect(runAt.timeIntervalSince(before) >= -0.05 && runAt.timeIntervalSince(before) <= 0.55)
        }
        #expect(try queue.stats().scheduled == 40)
    }

    @Test("after max attempts the job is dead with its full error history; permanent skips retries")
    func exhaustedAndPermanent() throws {
        let fixture = try QueueFixture("exhaust")
        let queue = try fixture.queue()
        let id = try queue.enqueue(kind: "k", json: "{}", options: JobOptions(maxAttempts: 3)).id
        for attempt in 1...3 {
            _ = try queue.promote()
            let job = try #require(try queue.fetch(count: 1, tokenPrefix: "w").jobs.first)
            #expect(job.attempt == attempt)
            let outcome = try queue.fail(job, error: "failure \(attempt)", disposition: .retryAfter(.zero))
            #expect(outcome == (attempt < 3 ? .retrying(attempts: attempt, delay: .zero) : .dead(attempts: 3)))
        }
        let dead = try #require(try queue.job(id: id))
        #expect(dead.state == .dead && dead.deadReason == "exhausted" && dead.attempts == 3)
        #expect(dead.errors.map(\.error) == ["failure 1", "failure 2", "failure 3"])
        #expect(dead.errors.map(\.attempt) == [1, 2, 3])
        #expect(dead.lastError == "failure 3")

        let other = try queue.enqueue(kind: "k", json: "{}", options: JobOptions(maxAttempts: 10)).id
        let job = try #require(try queue.fetch(count: 1, tokenPrefix: "w").jobs.first)
        #expect(job.id == other)
        #expect(try queue.fail(job, error: "bad input", disposition: .permanent) == .dead(attempts: 1))
        #expect(try queue.job(id: other)?.deadReason == "failed")
        let stats = try queue.stats()
        #expect(stats.dead == 2 && stats.failed == 4 && stats.retried == 2 && stats.buried == 2)
    }

    @Test("rate-limited retries do not use up attempts; the worker default applies when the job has none")
    func rateLimited() throws {
        let fixture = try QueueFixture("ratelimit")
        let queue = try fixture.queue()
        _ = try queue.enqueue(kind: "k", json: "{}")
        for _ in 0..<5 {
            _ = try queue.promote()
            let job = try #require(try queue.fetch(count: 1, tokenPrefix: "w").jobs.first)
            #expect(job.attempt == 1)
            #expect(try queue.fail(job, error: "429", disposition: .rateLimited(retryAfter: .zero), defaultMaxAttempts: 1)
                == .retrying(attempts: 0, delay: .zero))
        }
        _ = try queue.promote()
        let job = try #require(try queue.fetch(count: 1, tokenPrefix: "w").jobs.first)
        #expect(try queue.fail(job, error: "boom", disposition: .backoff(.standard), defaultMaxAttempts: 1) == .dead(attempts: 1))
    }

    @Test("retry from dead resets attempts; retry-all moves every dead job back to ready")
    func retryFromDead() throws {
        let fixture = try QueueFixture("undead")
        let queue = try fixture.queue()
        _ = try queue.enqueue(QueueFixture.jobs(30, kind: "a") + QueueFixture.jobs(20, kind: "b"))
        for job in try queue.fetch(count: 50, tokenPrefix: "w").jobs {
            _ = try queue.fail(job, error: "no", disposition: .permanent)
        }
        #expect(try queue.stats().dead == 50)
        let one = try #require(try queue.list(state: .dead, limit: 1).jobs.first)
        #expect(try queue.retry(id: one.id))
        #expect(try queue.retry(id: one.id) == false, "no longer dead")
        let again = try #require(try queue.job(id: one.id))
        #expect(again.state == .ready && again.attempts == 0)
        #expect(try queue.retryAllDead(kind: "b") == 20 - (one.kind == "b" ? 1 : 0))
        #expect(try queue.retryAllDead() == 30 - (one.kind == "a" ? 1 : 0))
        let stats = try queue.stats()
        #expect(stats.dead == 0 && stats.ready == 50)
    }

    @Test("the dead set is capped by count and the error history by length")
    func bounds() throws {
        let fixture = try QueueFixture("bounds")
        let queue = try fixture.queue(retention: QueueRetention(deadMaxCount: 10, errorHistory: 2))
        _ = try queue.enqueue(QueueFixture.jobs(25))
        for job in try queue.fetch(count: 25, tokenPrefix: "w").jobs {
            _ = try queue.fail(job, error: "no", disposition: .permanent)
        }
        #expect(try queue.stats().dead == 10)
        let id = try queue.enqueue(kind: "k", json: "{}", options: JobOptions(maxAttempts: 5)).id
        for n in 1...4 {
            _ = try queue.promote()
            let job = try #require(try queue.fetch(count: 1, tokenPrefix: "w").jobs.first)
            _ = try queue.fail(job, error: "e\(n)", disposition: .retryAfter(.zero))
        }
        #expect(try queue.job(id: id)?.errors.map(\.error) == ["e3", "e4"])
    }
}
