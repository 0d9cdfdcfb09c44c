import ArgumentParser

/// `spool cron …`: cron schedule tools.
struct CronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron",
        abstract: "Cron schedules: list them, enable/disable/delete one, or show an expression's next fire times.",
        subcommands: [CronListCommand.self, CronNextCommand.self, CronEnableCommand.self, CronDisableCommand.self, CronDeleteCommand.self]
    )
}
