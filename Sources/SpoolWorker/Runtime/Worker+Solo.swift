import Foundation
import Spool

extension Worker {
    /// The one thread of a concurrency-1 group: it leases its own jobs, runs them, and sends the completions
    /// of a batch with the fetch of the next (`Queue.completeAndFetch`: one round trip per batch), so a job
    /// crosses no thread on its way. The group's channel holds the jobs leased but not started, so the lease
    /// renewer keeps them alive and a shutdown hands them back, exactly as for a group with a dispatcher.
    func soloLoop(group groupIndex: Int, slot: Int) {
        defer { liveSlots.withLock { _ = $0.remove(slot) } }
        let channel = channels[groupIndex]
        let redis = RedisConnection(configuration: client.pool.configuration)
        var leaser = GroupLeaser(worker: self, groupIndex: groupIndex)
        while !isStopping {
            if let job = channel.takeNow() {
                // False: the supervisor replaced this thread while it was stuck; the replacement owns the channel.
                guard run(job, slot: slot, redis: redis, sendsOwnCompletions: true) else { return }
                continue
            }
            guard let queue = leaser.next() else {
                // Completions of another queue of the group go out now rather than at the acker's next tick.
                acker.wake()
                leaser.waitForWork()
                continue
            }
            let completions = acker.take(queue: queue.name, limit: 1000)
            do {
                let answer = try queue.completeAndFetch(completions.map { (lease: $0.job.lease, result: $0.result) },
                                                        count: soloBatchSize, lease: configuration.lease,
                                                        tokenPrefix: configuration.workerID, on: redis)
                recordCompletions(completions, applied: answer.applied, queue: queue.name)
                leaser.fetched(answer.fetched, from: queue.name)
                channel.push(answer.fetched.jobs)
            } catch {
                // The acker thread retries them (through an outage, until their leases would have expired).
                acker.giveBack(completions)
                leaser.failed(error, fetchingFrom: queue.name)
            }
        }
        acker.wake()
        // A fetch that raced the stop may have leased jobs after shutdown handed the channel back.
        handBack(channel.drain())
    }

    /// Jobs a solo thread leases at once: as many as it runs in about 20 ms at its recent pace (1…32), so fast
    /// jobs share a round trip while a slow job never holds others back for long.
    var soloBatchSize: Int {
        max(1, min(32, 20_000 / max(1, averageRunMicros.load(ordering: .relaxed))))
    }
}
