import Foundation
import Spool

extension Worker {
    /// Returns jobs whose lease expired (their worker died) to ready, buries those that stall too often, and
    /// promotes due delayed jobs of queues nobody is fetching from.
    func reapLoop() {
        let redis = RedisConnection(configuration: client.pool.configuration)
        while pause(configuration.reapInterval) {
            for name in configuration.queueNames {
                guard let queue = queue(named: name) else { continue }
                withRedisRetry("reaping expired leases", giveUp: { true }) {
                    let reaped = try queue.reap(maxStalls: configuration.maxStalls, on: redis)
                    if reaped.returned + reaped.buried > 0 {
                        logger.warning("reaped \(reaped.returned) stalled job(s) back to ready, \(reaped.buried) to dead", metadata: ["queue": "\(name)"])
                    }
                    _ = try queue.promote(on: redis)
                }
            }
        }
    }
}
