import Foundation
import Spool
@testable import SpoolOutbox
import Synchronization
import Testing

extension OutboxHeavyTests {
    @Suite("Outbox under load: producers, two relays, one killed and restarted")
    struct OutboxConcurrencyTests {
        @Test("8 producers × 1000 transactions (10 % rolled back), two relays, one killed mid-batch and restarted: Redis holds exactly the committed jobs, each once")
        func killAndRestart() throws {
            let fixture = try OutboxFixture("load")
            defer { fixture.close() }
            let producers = 8
            let transactionsEach = 1000
            let queues = ["q0", "q1", "q2"]

            // Relay A runs on a thread of ours; its hook "kills" it once asked: after its Redis enqueue, its
            // Postgres session is terminated (so its open transaction aborts) and its thread stops.
            let killRequested = Atomic<Bool>(false)
            let stopA = Atomic<Bool>(false)
            let killedBatch = Shared<[String]>([])
            let admin = try TestDatabase.connect()
            defer { admin.close() }
            let hooks = OutboxRelayHooks(afterEnqueueBeforeCommit: { tx, ids in
                guard killRequested.compareExchange(expected: true, desired: false, ordering: .acquiringAndReleasing).exchanged
                else { return }
                let pid = try tx.query("SELECT pg_backend_pid()").int64(0, 0) ?? 0
                _ = try admin.query("SELECT pg_terminate_backend($1::int, 5000)", [.int64(pid)])
                killedBatch.value.withLock { $0 = ids }
                stopA.store(true, ordering: .releasing)
            })
            let relayA = try fixture.relay(batchSize: 50, hooks: hooks)
            let relayB = try fixture.relay(batchSize: 50)
            let aDone = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                relayA.run(until: { stopA.load(ordering: .acquiring) })
                aDone.signal()
            }
            relayB.start()

            // Producers.
            let committed = Shared<[String: [String]]>([:])
            let rolledBack = Shared<[String]>([])
            let progress = Atomic<Int>(0)
            let failures = Shared<[String]>([])
            let producersDone = DispatchSemaphore(value: 0)
            let started = ContinuousClock.now
            for producer in 0..<producers {
                Thread.detachNewThread {
                    defer { producersDone.signal() }
                    do {
                        let connection = try TestDatabase.connect()
                        defer { connection.close() }
                        var mine: [String: [String]] = [:]
                        var mineRolledBack: [String] = []
                        for n in 0..<transactionsEach {
                            let queue = queues[(producer + n) % queues.count]
                            let jobs = (0..<(n % 5 == 0 ? 2 : 1)).map { testJob(producer * 100_000 + n * 10 + $0) }
                            if n % 10 == 3 {
                                let ids = Shared<[String]>([])
                                do {
                                    try connection.transaction { tx in
                                        ids.value.withLock { $0 = (try? fixture.outbox.enqueue(jobs, queue: queue, in: tx)) ?? [] }
                                        throw SimulatedCrash()
                                    }
                                } catch is SimulatedCrash {}
                                mineRolledBack += ids.value.withLock { $0 }
                            } else {
                                let ids = try connection.transaction { tx in
                                    try fixture.outbox.enqueue(jobs, queue: queue, in: tx)
                                }
                                mine[queue, default: []] += ids
                            }
                            if progress.add(1, ordering: .relaxed).newValue == producers * transactionsEach / 3 {
                                killRequested.store(true, ordering: .releasing)
                            }
                        }
                        committed.value.withLock { all in
                            for (queue, ids) in mine { all[queue, default: []] += ids }
                        }
                        rolledBack.value.withLock { $0 += mineRolledBack }
                    } catch {
                        failures.value.withLock { $0.append("producer \(producer): \(error)") }
                    }
                }
            }

            // Relay A dies mid-way; a fresh relay takes its place.
            #expect(aDone.wait(timeout: .now() + 60) == .success, "relay A was never killed")
            let relayA2 = try fixture.relay(batchSize: 50)
            relayA2.start()
            for _ in 0..<producers { producersDone.wait() }
            let produced = ContinuousClock.now - started
            #expect(failures.value.withLock { $0 } == [])

            let committedByQueue = committed.value.withLock { $0 }
            let committedIDs = committedByQueue.values.flatMap { $0 }
            #expect(try eventually(timeout: .seconds(30)) {
                try fixture.db.query("SELECT count(*) FROM \(fixture.table) WHERE published_at IS NULL").int(0, 0) == 0
            })
            let drained = ContinuousClock.now - started
            relayB.stop()
            relayA2.stop()

            // Committed rows are exactly what the producers saw commit; no rolled-back row exists.
            let rowIDs = try fixture.db.query("SELECT job_id FROM \(fixture.table)").rows.map { try $0.string(0) ?? "" }
            #expect(rowIDs.count == committedIDs.count)
            #expect(Set(rowIDs) == Set(committedIDs))
            #expect(try fixture.rows().allSatisfy { $0.published && !$0.failed })
            // Redis holds exactly the committed jobs, each created once.
            var createdInRedis = 0
            for queue in queues {
                let inRedis = try fixture.idsInRedis(queue: queue)
                #expect(inRedis.count == Set(inRedis).count)
                #expect(Set(inRedis) == Set(committedByQueue[queue] ?? []), "queue \(queue)")
                createdInRedis += try fixture.enqueuedCounter(queue: queue)
            }
            #expect(createdInRedis == committedIDs.count)
            let rolledBackIDs = rolledBack.value.withLock { $0 }
            #expect(rolledBackIDs.count >= producers * transactionsEach / 10)
            #expect(Set(rolledBackIDs).isDisjoint(with: Set(rowIDs)))
            // The killed relay's batch was in Redis already; it was re-sent and found there.
            let killed = killedBatch.value.withLock { $0 }
            #expect(!killed.isEmpty)
            let metrics = [relayA.metrics, relayB.metrics, relayA2.metrics]
            let resent = metrics.map(\.alreadyInRedis).reduce(0, +)
            #expect(resent >= killed.count)
            #expect(metrics.map(\.published).reduce(0, +) == committedIDs.count)
            print(
                "outbox load: \(committedIDs.count) jobs in \(producers * transactionsEach) transactions;"
                    + " produced in \(produced), all published after \(drained);"
                    + " published by A/B/A2 = \(metrics.map(\.published)), killed batch \(killed.count) rows, re-sent \(resent)")
        }
    }
}
