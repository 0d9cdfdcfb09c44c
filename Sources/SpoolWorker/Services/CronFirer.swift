import Foundation
import Spool

extension Worker {
    /// Fires due cron schedules: ticks at each schedule's next fire time (and at least every few seconds, to
    /// notice schedules added or changed). Any number of daemons can run this: each slot's job id is
    /// deterministic, so a slot is enqueued once.
    func cronLoop() {
        let scheduler = CronScheduler(client: client)
        var backoff = ReconnectBackoff()
        while !isStopping {
            var wait: Duration = .seconds(5)
            do {
                let now = Date()
                let report = try scheduler.tickReport(now: now)
                for run in report.fired {
                    logger.info("cron \(run.schedule) fired \(run.isCatchUp ? "a catch-up run" : "its run") for \(run.slot)",
                                metadata: ["queue": "\(run.queue)", "job": "\(run.jobID)"])
                }
                for failure in report.failures {
                    logger.error("cron \(failure.schedule) could not fire: \(failure.error)")
                }
                if let next = try scheduler.nextWake(now: Date()) {
                    wait = min(wait, .milliseconds(max(1, Int64(next.timeIntervalSinceNow * 1000) + 1)))
                }
                outage.succeeded()
                backoff.reset()
            } catch {
                outage.failed(error, during: "firing cron schedules")
                wait = .milliseconds(Int64(backoff.next() * 1000))
            }
            if !pause(wait) { return }
        }
    }
}
