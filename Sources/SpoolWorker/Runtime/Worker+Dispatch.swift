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
        let waiter = RedisConnection(configuration: client.pool.configuration)
        var selector = QueueSelector(queues: group.queues.map { ($0.name, $0.weight) }, mode: group.mode)
        let names = group.queues.map(\.name)
        let queues = Dictionary(uniqueKeysWithValues: names.compactMap { name in queue(named: name).map { (name, $0) } })
        var empty = Set<String>()
        var nextDue: [String: Duration] = [:]
        var backoff = ReconnectBackoff()
        var waiterID: Int?
        // With fast jobs, lease a few more than there are free threads, so threads never wait for a fetch.
        let prefetchLimit = min(group.concurrency, 16)
        while !isStopping {
            let prefetch = averageRunMicros.load(ordering: .relaxed) < 20_000 ? prefetchLimit : 0
            let free = channel.freeCapacity + prefetch
            if free <= 0 {
                channel.waitForFreeSlot(timeout: .milliseconds(200))
                continue
            }
            guard let name = selector.next(where: { !empty.contains($0) }), let queue = queues[name] else {
                let wait = min(nextDue.values.min() ?? configuration.maxIdleWait, configuration.maxIdleWait)
                do {
                    if waiterID == nil {
                        waiterID = try retryingStaleConnection { () throws(RedisError) in try waiter.command("CLIENT", "ID") }.int
                        dispatcherClientIDs.withLock { $0[groupIndex] = waiterID }
                    }
                    if isStopping { break }
                    _ = try client.waitForWork(queues: names, timeout: max(wait, .milliseconds(1)), on: waiter)
                    outage.succeeded()
                    backoff.reset()
                } catch {
                    waiterID = nil
                    outage.failed(error, during: "waiting for jobs")
                    Thread.sleep(forTimeInterval: backoff.next())
                }
                empty.removeAll()
                nextDue.removeAll()
                continue
            }
            do {
                let result = try queue.fetch(count: min(free, 32), lease: configuration.lease,
                                             tokenPrefix: configuration.workerID, on: redis)
                outage.succeeded()
                backoff.reset()
                if result.jobs.isEmpty {
                    empty.insert(name)
                    if let due = result.nextDueIn { nextDue[name] = due } else { nextDue[name] = nil }
                } else {
                    channel.push(result.jobs)
                }
            } catch {
                outage.failed(error, during: "fetching from \(name)")
                Thread.sleep(forTimeInterval: backoff.next())
            }
        }
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
