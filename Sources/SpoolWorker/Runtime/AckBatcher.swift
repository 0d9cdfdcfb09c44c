import Dispatch
import Spool
import Synchronization

/// Collects the completions of finished jobs so they are acknowledged in batches (one Redis call per queue per
/// batch) instead of one call per job. The acker thread sends them; a thread that leases its own jobs (a
/// concurrency-1 group) takes its queue's completions out and sends them with its next fetch instead, and the
/// acker thread sends whatever that thread leaves behind within its 100 ms tick. A completion waits here for
/// microseconds under load; if the process dies before it is sent, the job's lease expires and it runs again
/// (at-least-once, never lost).
final class AckBatcher: Sendable {
    struct Item: Sendable {
        let job: LeasedJob
        let result: String?
        let queuedAt: ContinuousClock.Instant
    }

    private let items = Mutex<[Item]>([])
    private let signal = DispatchSemaphore(value: 0)

    /// Queues the completion of `job`. `wake` false leaves it for the thread that will send it with its next
    /// fetch (the acker thread still sends it within its tick if that thread is held up).
    func post(_ job: LeasedJob, result: String?, wake: Bool = true) {
        items.withLock { $0.append(Item(job: job, result: result, queuedAt: .now)) }
        if wake { signal.signal() }
    }

    /// Waits up to `timeout` for completions, then takes up to `limit` of them.
    func take(limit: Int, timeout: Duration) -> [Item] {
        _ = signal.wait(timeout: .now() + .milliseconds(Int(timeout.wholeMilliseconds)))
        return items.withLock { pending in
            let batch = Array(pending.prefix(limit))
            pending.removeFirst(batch.count)
            return batch
        }
    }

    /// Takes, without waiting, up to `limit` completions of jobs of `queue`.
    func take(queue: String, limit: Int) -> [Item] {
        items.withLock { pending in
            var taken: [Item] = []
            pending.removeAll { item in
                guard taken.count < limit, item.job.queue == queue else { return false }
                taken.append(item)
                return true
            }
            return taken
        }
    }

    /// Puts back completions a thread took but could not send, and wakes the acker thread to send them.
    func giveBack(_ returned: [Item]) {
        if returned.isEmpty { return }
        items.withLock { $0.insert(contentsOf: returned, at: 0) }
        signal.signal()
    }

    /// Wakes the acker thread to send what is queued now.
    func wake() {
        if count > 0 { signal.signal() }
    }

    /// Completions not yet sent.
    var count: Int { items.withLock { $0.count } }
}

extension Worker {
    /// Sends queued completions in batches, retrying through Redis outages until the leases would have expired.
    func ackLoop() {
        let redis = RedisConnection(configuration: client.pool.configuration)
        while true {
            let batch = acker.take(limit: 1000, timeout: .milliseconds(100))
            if batch.isEmpty {
                if ackerShouldExit.load(ordering: .sequentiallyConsistent) { return }
                continue
            }
            var byQueue: [String: [AckBatcher.Item]] = [:]
            for item in batch { byQueue[item.job.queue, default: []].append(item) }
            for (name, items) in byQueue {
                guard let queue = queue(named: name) else { continue }
                let giveUpAt = (items.map(\.queuedAt).min() ?? .now) + configuration.lease
                withRedisRetry("acknowledging \(items.count) job(s) of \(name)", giveUp: { ContinuousClock.now > giveUpAt }) {
                    let applied = try queue.complete(items.map { (lease: $0.job.lease, result: $0.result) }, on: redis)
                    recordCompletions(items, applied: applied, queue: name)
                }
            }
        }
    }

    /// Counts acknowledged completions in the metrics; a completion whose lease was lost is logged.
    func recordCompletions(_ items: [AckBatcher.Item], applied: [Bool], queue name: String) {
        for (item, ok) in zip(items, applied) {
            metrics.recordOutcome(queue: name, kind: item.job.kind, outcome: ok ? "completed" : "lost")
            if !ok {
                logger.warning("job \(item.job.id) finished after its lease was lost; another worker may run it again",
                               metadata: ["queue": "\(name)"])
            }
        }
    }
}
