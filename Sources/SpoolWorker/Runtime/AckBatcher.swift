import Dispatch
import Spool
import Synchronization

/// Collects the completions of finished jobs so one thread acknowledges them in batches (one Redis call per
/// queue per batch) instead of one call per job. A completion waits here for microseconds under load; if the
/// process dies before it is sent, the job's lease expires and it runs again (at-least-once, never lost).
final class AckBatcher: Sendable {
    struct Item: Sendable {
        let job: LeasedJob
        let result: String?
        let queuedAt: ContinuousClock.Instant
    }

    private let items = Mutex<[Item]>([])
    private let signal = DispatchSemaphore(value: 0)

    /// Queues the completion of `job`.
    func post(_ job: LeasedJob, result: String?) {
        items.withLock { $0.append(Item(job: job, result: result, queuedAt: .now)) }
        signal.signal()
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
                    for (item, ok) in zip(items, applied) {
                        metrics.recordOutcome(queue: name, kind: item.job.kind, outcome: ok ? "completed" : "lost")
                        if !ok {
                            logger.warning("job \(item.job.id) finished after its lease was lost; another worker may run it again",
                                           metadata: ["queue": "\(name)"])
                        }
                    }
                }
            }
        }
    }
}
