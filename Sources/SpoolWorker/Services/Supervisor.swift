import Foundation
import Spool

extension Worker {
    /// Watches deadlines: cancels handlers at their deadline, and when a handler stuck in blocking work
    /// overruns the grace period, fails its job (to retry) and starts a replacement thread, so one stuck
    /// handler cannot shrink the pool for good.
    func superviseLoop() {
        let redis = RedisConnection(configuration: client.pool.configuration)
        while pause(.milliseconds(100)) {
            let now = ContinuousClock.now
            for entry in inFlight.all where now >= entry.deadline {
                entry.context.cancel()
                entry.cancelTask()
                guard entry.isBlocking, now >= entry.deadline + configuration.timeoutGrace, entry.abandon() else { continue }
                logger.error("job \(entry.job.id) is stuck past its deadline and grace; failing it and replacing its thread",
                             metadata: ["queue": "\(entry.job.queue)", "kind": "\(entry.job.kind)"])
                acknowledge(entry.job, outcome: .failure(JobFailure.retry("timed out: the handler ignored cancellation and was abandoned")), redis: redis)
                inFlight.remove(entry)
                if let group = configuration.groups.firstIndex(where: { $0.queues.contains { $0.name == entry.job.queue } }) {
                    liveSlots.withLock { _ = $0.remove(entry.slot) }
                    startSlot(group: group)
                }
            }
        }
    }
}
