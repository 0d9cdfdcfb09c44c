import ArgumentParser

/// `spool queue pause|resume Q`.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Pause or resume a queue.",
        subcommands: [QueuePauseCommand.self, QueueResumeCommand.self]
    )
}
