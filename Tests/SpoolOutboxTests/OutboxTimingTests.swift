import Foundation
import Spool
import SpoolOutbox
import Testing

/// Latency and throughput. The suite name ends in `TimingTests`, so scripts/test runs it alone, after
/// everything else, where the milliseconds it measures are not blurred by other suites' load.
extension OutboxHeavyTests {
    @Suite("Outbox timing", .serialized)
    struct OutboxTimingTests {
        @Test("rollback → no job; commit → job visible in Redis with p99 under 50 ms over 200 commits, thanks to NOTIFY")
        func commitToVisible() throws {
            let fixture = try OutboxFixture("latency")
            defer { fixture.close() }
            // A 5 s safety poll: anything faster than that is the notification's doing.
            let relay = try fixture.relay(pollInterval: .seconds(5))
            relay.start()
            defer { relay.stop() }
            let queue = try fixture.client.queue("latency")
            let keys = QueueKeys(queue: "latency", prefix: fixture.client.prefix)
            let producer = try TestDatabase.connect()
            defer { producer.close() }

            var samples: [Double] = []
            var rolledBack: [String] = []
            var committed = 0
            for n in 0..<240 {
                if n % 12 == 11 {
                    // Every 12th transaction rolls back: its job must never appear.
                    let id = Shared("")
                    #expect(throws: SimulatedCrash.self) {
                        try producer.transaction { tx in
                            id.value.withLock { $0 = (try? fixture.outbox.enqueue(testJob(n), queue: "latency", in: tx)) ?? "" }
                            throw SimulatedCrash()
                        }
                    }
                    rolledBack.append(id.value.withLock { $0 })
                    continue
                }
                var committing = ContinuousClock.now
                let id = try producer.transaction { tx in
                    let id = try fixture.outbox.enqueue(testJob(n), queue: "latency", in: tx)
                    committing = ContinuousClock.now  // the body returns and COMMIT is sent
                    return id
                }
                committed += 1
                let visible = try eventually(timeout: .seconds(10), interval: 0.0001) {
                    try fixture.client.withConnection { (redis) throws(RedisError) in
                        try redis.command("EXISTS", RedisArgument(keys.job(id))).int == 1
                    }
                }
                #expect(visible, "job \(n) never appeared")
                let elapsed = ContinuousClock.now - committing
                // The first 20 warm the connections and scripts up.
                if n >= 20 { samples.append(milliseconds(elapsed)) }
            }
            let p50 = percentile(samples, 50)
            let p99 = percentile(samples, 99)
            print(
                "outbox commit→visible over \(samples.count) commits: p50 \(format(p50)) ms, p99 \(format(p99)) ms,"
                    + " max \(format(samples.max() ?? 0)) ms")
            #expect(samples.count >= 200)
            #expect(p99 < 50, "p99 \(p99) ms")
            #expect(try queue.stats().ready == committed)
            #expect(rolledBack.count == 20)
            for id in rolledBack { #expect(try queue.job(id: id) == nil) }
        }

        @Test("relay throughput: a 20,000-row backlog drains in batches")
        func throughput() throws {
            let fixture = try OutboxFixture("throughput")
            defer { fixture.close() }
            let total = 20_000
            try fixture.db.transaction { tx in
                for chunk in 0..<(total / 1000) {
                    try fixture.outbox.enqueue(
                        (0..<1000).map { testJob(chunk * 1000 + $0) }, queue: "bulk\(chunk % 4)", in: tx)
                }
            }
            let relay = try fixture.relay(batchSize: 500)
            let started = ContinuousClock.now
            relay.start()
            defer { relay.stop() }
            #expect(try eventually(timeout: .seconds(60)) {
                try fixture.db.query("SELECT count(*) FROM \(fixture.table) WHERE published_at IS NULL").int(0, 0) == 0
            })
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("outbox relay throughput: \(total) rows in \(format(seconds * 1000)) ms = \(Int(Double(total) / seconds)) rows/s")
            #expect(relay.metrics.published == total)
            var inRedis = 0
            for queue in 0..<4 { inRedis += try fixture.idsInRedis(queue: "bulk\(queue)").count }
            #expect(inRedis == total)
        }

        private func milliseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        }

        private func format(_ value: Double) -> String {
            String(format: "%.2f", value)
        }
    }
}
