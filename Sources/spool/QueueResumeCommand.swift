import ArgumentParser

/// `spool queue resume Q`: workers take jobs from Q again.
struct QueueResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused queue.",
        discussion: #"JSON: {"queue", "paused": false}"#
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The queue.") var queue: String

    func run() throws { try QueuePauseCommand.set(paused: false, queue: queue, global: global) }
}
