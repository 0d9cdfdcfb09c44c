import Foundation
import Spool

/// What a group's leasing thread (its dispatcher, or the one thread of a concurrency-1 group) knows while it
/// leases: which queue to fetch from next, which queues came back empty, and when the next delayed job is due.
/// When every queue came back empty it blocks on their wake-up markers: one blocking call per idle period, no
/// polling. Owned by one thread; not shared.
struct GroupLeaser {
    let worker: Worker
    let groupIndex: Int
    let names: [String]
    let queues: [String: Queue]
    /// The connection that blocks on wake-up markers (its client id lets a shutdown unblock it).
    let waiter: RedisConnection
    var selector: QueueSelector
    var empty = Set<String>()
    var nextDue: [String: Duration] = [:]
    var backoff = ReconnectBackoff()
    var waiterID: Int?

    init(worker: Worker, groupIndex: Int) {
        let group = worker.configuration.groups[groupIndex]
        self.worker = worker
        self.groupIndex = groupIndex
        names = group.queues.map(\.name)
        queues = Dictionary(uniqueKeysWithValues: names.compactMap { name in worker.queue(named: name).map { (name, $0) } })
        waiter = RedisConnection(configuration: worker.client.pool.configuration)
        selector = QueueSelector(queues: group.queues.map { ($0.name, $0.weight) }, mode: group.mode)
    }

    /// The queue to fetch from next, or nil when every queue came back empty since the last wait.
    mutating func next() -> Queue? {
        let empty = self.empty
        guard let name = selector.next(where: { !empty.contains($0) }) else { return nil }
        return queues[name]
    }

    /// Notes what a fetch from `name` leased: an empty answer marks the queue empty until the next wait.
    mutating func fetched(_ result: FetchResult, from name: String) {
        worker.outage.succeeded()
        backoff.reset()
        if result.jobs.isEmpty {
            empty.insert(name)
            nextDue[name] = result.nextDueIn
        }
    }

    /// Notes a failed fetch from `name` and sleeps the reconnect backoff.
    mutating func failed(_ error: Error, fetchingFrom name: String) {
        worker.outage.failed(error, during: "fetching from \(name)")
        Thread.sleep(forTimeInterval: backoff.next())
    }

    /// Blocks until an enqueue wakes one of the group's queues, the next delayed job is due, `maxIdleWait`
    /// passes, or the worker stops (shutdown unblocks the waiter by its client id); then forgets which queues
    /// were empty.
    mutating func waitForWork() {
        let configuration = worker.configuration
        let wait = min(nextDue.values.min() ?? configuration.maxIdleWait, configuration.maxIdleWait)
        do {
            if waiterID == nil {
                waiterID = try retryingStaleConnection { () throws(RedisError) in try waiter.command("CLIENT", "ID") }.int
                let id = waiterID
                worker.dispatcherClientIDs.withLock { $0[groupIndex] = id }
            }
            // Checked after the id is published: a shutdown either sees the id or is seen here.
            if worker.isStopping { return }
            _ = try worker.client.waitForWork(queues: names, timeout: max(wait, .milliseconds(1)), on: waiter)
            worker.outage.succeeded()
            backoff.reset()
        } catch {
            waiterID = nil
            worker.outage.failed(error, during: "waiting for jobs")
            Thread.sleep(forTimeInterval: backoff.next())
        }
        empty.removeAll()
        nextDue.removeAll()
    }
}
