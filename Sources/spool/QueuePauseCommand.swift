import ArgumentParser
import Spool

/// `spool queue pause Q`: workers stop taking jobs from Q; enqueues still succeed.
struct QueuePauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop handing out jobs of a queue (enqueues still succeed).",
        discussion: #"JSON: {"queue", "paused": true}"#
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The queue.") var queue: String

    func run() throws { try QueuePauseCommand.set(paused: true, queue: queue, global: global) }

    /// Pauses or resumes `queue` and reports the new state.
    static func set(paused: Bool, queue name: String, global: GlobalOptions) throws {
        let client = try global.client()
        // Pausing a queue before its first job is allowed (resuming one nobody knows is a typo: exit 3).
        let queue = paused ? try global.validQueue(name, in: client) : try global.existingQueue(name, in: client)
        try spool { () throws(SpoolError) in paused ? try queue.pause() : try queue.resume() }
        if global.json {
            try Output.printJSON(["queue": name, "paused": paused])
        } else {
            Output.line("queue \(name) \(paused ? "paused" : "resumed")")
        }
    }
}
