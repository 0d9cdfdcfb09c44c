import Foundation
import Spool

extension Worker {
    /// Renews the leases of every in-flight job, one call per queue, every third of the lease. A job whose
    /// lease was lost (reaped while Redis was unreachable, say) has its handler cancelled.
    func renewLoop() {
        let redis = RedisConnection(configuration: client.pool.configuration)
        let period = configuration.lease / 3
        while pause(period) {
            var byQueue: [String: [InFlightJob]] = [:]
            for entry in inFlight.all { byQueue[entry.job.queue, default: []].append(entry) }
            // Fetched jobs still waiting for a free thread hold leases too.
            var waiting: [String: [Lease]] = [:]
            for channel in channels {
                for job in channel.pendingLeases { waiting[job.queue, default: []].append(job.lease) }
            }
            for name in Set(byQueue.keys).union(waiting.keys) {
                let entries = byQueue[name] ?? []
                guard let queue = queue(named: name) else { continue }
                withRedisRetry("renewing leases", giveUp: { true }) {
                    let lost = Set(try queue.renew(entries.map(\.job.lease) + (waiting[name] ?? []), for: configuration.lease, on: redis))
                    for entry in entries where lost.contains(entry.job.id) {
                        logger.warning("lost the lease of job \(entry.job.id); cancelling its handler", metadata: ["queue": "\(name)"])
                        entry.context.cancel()
                        entry.cancelTask()
                    }
                }
            }
        }
    }
}
