import Foundation
import Spool
import Synchronization
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("8 producers and 8 consumers over 50,000 jobs: every job completes exactly once")
    func producersAndConsumers() throws {
        let fixture = try QueueFixture("conc", poolSize: 16)
        let queue = try fixture.queue()
        let total = 50_000
        let producersDone = Atomic<Int>(0)
        let completions = Mutex<[Int: Int]>([:])
        let staleCompletions = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for producer in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave(); producersDone.add(1, ordering: .sequentiallyConsistent) }
                do {
                    var n = producer
                    while n < total {
                        // Mix single enqueues with small batches.
                        if n % 3 == 0 {
                            try queue.enqueue(NewJob(kind: "k", validatedJSON: Array("{\"n\":\(n)}".utf8)))
                            n += 8
                        } else {
                            var batch: [NewJob] = []
                            while n < total && batch.count < 25 {
                                batch.append(NewJob(kind: "k", validatedJSON: Array("{\"n\":\(n)}".utf8)))
                                n += 8
                            }
                            _ = try queue.enqueue(batch)
                        }
                    }
                } catch {
                    failures.withLock { $0.append("producer: \(error)") }
                }
            }.start()
        }
        for consumer in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let redis = try fixture.client.pool.checkOut()
                    defer { fixture.client.pool.checkIn(redis) }
                    let waiter = try RedisConnection(url: TestEnvironment.redisURL())
                    while true {
                        let batch = try queue.fetch(count: 10, lease: .seconds(30), tokenPrefix: "c\(consumer)", on: redis)
                        if batch.jobs.isEmpty {
                            if producersDone.load(ordering: .sequentiallyConsistent) == 8,
                               try queue.stats().ready == 0 { return }
                            _ = try fixture.client.waitForWork(queues: [queue.name], timeout: .milliseconds(50), on: waiter)
                            continue
                        }
                        for job in batch.jobs {
                            if try queue.complete(job.lease, on: redis) {
                                completions.withLock { $0[job.n ?? -1, default: 0] += 1 }
                            } else {
                                staleCompletions.add(1, ordering: .sequentiallyConsistent)
                            }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("consumer: \(error)") }
                }
            }.start()
        }
        group.wait()
        #expect(failures.withLock { $0 } == [])
        let done = completions.withLock { $0 }
        #expect(done.count == total)
        #expect(done.values.allSatisfy { $0 == 1 })
        #expect(Set(done.keys) == Set(0..<total))
        #expect(staleCompletions.load(ordering: .sequentiallyConsistent) == 0)
        let stats = try queue.stats()
        #expect(stats.enqueued == total && stats.completed == total)
        #expect(stats.ready == 0 && stats.active == 0 && stats.scheduled == 0 && stats.dead == 0)
    }
}
