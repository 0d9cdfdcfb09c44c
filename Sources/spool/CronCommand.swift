import ArgumentParser

/// `spool cron …`: cron schedule tools.
struct CronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron",
        abstract: "Cron schedule tools.",
        subcommands: [CronNextCommand.self]
    )
}
