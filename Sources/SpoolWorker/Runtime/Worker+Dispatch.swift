import Foundation
import Spool

extension Worker {
    /// A group's dispatcher: leases as many jobs as there are free threads, from the queue the selector picks;
    /// when every queue is empty, blocks on their wake-up markers until work arrives or the next delayed job
    /// is due. One blocking call per idle period: no polling.
    func dispatchLoop(groupIndex: Int) {
        let group = configuration.groups[groupIndex]
        let channel = channels[groupIndex]
        let redis = RedisConnection(configuration: client.pool.configuration)
        var leaser = GroupLeaser(worker: self, groupIndex: groupIndex)
        // With fast jobs, lease a few more than there are free threads, so threads never wait for a fetch.
        let prefetchLimit = min(group.concurrency, 16)
        while !isStopping {
            let prefetch = averageRunMicros.load(ordering: .relaxed) < 20_000 ? prefetchLimit : 0
            let free = channel.freeCapacity + prefetch
            if free <= 0 {
                channel.waitForFreeSlot(timeout: .milliseconds(200))
                continue
            }
            guard let queue = leaser.next() else {
                leaser.waitForWork()
                continue
            }
            do {
                let result = try queue.fetch(count: min(free, 32), lease: configuration.lease,
                                             tokenPrefix: configuration.workerID, on: redis)
                leaser.fetched(result, from: queue.name)
                channel.push(result.jobs)
            } catch {
                leaser.failed(error, fetchingFrom: queue.name)
            }
        }
        // A fetch that raced the stop may have leased jobs after shutdown handed the channel back.
        handBack(channel.drain())
    }

    /// Unblocks dispatchers waiting on wake-up markers so they see the stop at once.
    func wakeDispatchers() {
        let ids = dispatcherClientIDs.withLock { Array($0.values) }
        guard !ids.isEmpty else { return }
        let redis = RedisConnection(configuration: client.pool.configuration)
        for id in ids { _ = try? redis.command("CLIENT", "UNBLOCK", RedisArgument(id)) }
        redis.close()
    }
}
