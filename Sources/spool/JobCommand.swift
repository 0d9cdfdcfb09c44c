import ArgumentParser

/// `spool job show|retry|delete`.
struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Show, retry or delete one job.",
        subcommands: [JobShowCommand.self, JobRetryCommand.self, JobDeleteCommand.self]
    )
}
