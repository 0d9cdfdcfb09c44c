import ArgumentParser
import Spool

/// `spool queues`: the known queues with their sizes and paused flag.
struct QueuesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues",
        abstract: "List the queues that have seen an enqueue.",
        discussion: """
        JSON: {"queues": [{"name", "paused", "ready", "scheduled", "active", "dead", "done"}]}
        """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        let stats = try spool { () throws(SpoolError) -> [QueueStats] in
            try client.queueNames().map { name throws(SpoolError) in try client.queue(name).stats() }
        }
        if global.json {
            try Output.printJSON(["queues": stats.map { item -> [String: Any] in
                ["name": item.queue, "paused": item.paused, "ready": item.ready, "scheduled": item.scheduled,
                 "active": item.active, "dead": item.dead, "done": item.doneKept]
            }])
            return
        }
        Output.table(["QUEUE", "PAUSED", "READY", "SCHEDULED", "ACTIVE", "DEAD", "DONE"], stats.map { item in
            [item.queue, item.paused ? "yes" : "no", "\(item.ready)", "\(item.scheduled)", "\(item.active)", "\(item.dead)", "\(item.doneKept)"]
        })
    }
}
