import ArgumentParser
import Foundation
import Spool
import SpoolWorker

/// `spool stats`: counts, counters and throughput of every queue, and how many workers are alive.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show per-queue counts, head age, throughput and live workers.",
        discussion: """
        JSON: {"queues": [{"queue", "ready", "scheduled", "active", "dead", "done", "paused", "headAgeMs" (null when \
        nothing is ready), "completedLastMinute", "enqueued", "completed", "failed", "retried", "buried", \
        "stalled"}], "workersAlive"}
        """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        let stats = try spool { () throws(SpoolError) -> [QueueStats] in
            try client.queueNames().map { name throws(SpoolError) in try client.queue(name).stats() }
        }
        let workers = try spool { () throws(SpoolError) in try client.workers() }
        if global.json {
            try Output.printJSON(["queues": stats.map(Self.json), "workersAlive": workers.count])
            return
        }
        Output.table(["QUEUE", "READY", "SCHEDULED", "ACTIVE", "DEAD", "DONE", "PAUSED", "HEAD AGE", "DONE/MIN"], stats.map { item in
            [item.queue, "\(item.ready)", "\(item.scheduled)", "\(item.active)", "\(item.dead)", "\(item.doneKept)",
             item.paused ? "yes" : "no", item.headAge.map(DurationArgument.human) ?? "-", "\(item.completedLastMinute)"]
        })
        Output.line("")
        Output.line("workers alive: \(workers.count)")
    }

    /// The JSON object of one queue's stats.
    static func json(_ item: QueueStats) -> [String: Any] {
        [
            "queue": item.queue, "ready": item.ready, "scheduled": item.scheduled, "active": item.active, "dead": item.dead,
            "done": item.doneKept, "paused": item.paused, "headAgeMs": Output.orNull(item.headAge?.wholeMilliseconds),
            "completedLastMinute": item.completedLastMinute, "enqueued": item.enqueued, "completed": item.completed,
            "failed": item.failed, "retried": item.retried, "buried": item.buried, "stalled": item.stalled,
        ]
    }
}
