import ArgumentParser
import Foundation
import Spool

/// `spool cron list`: every schedule with its next and last fire times.
struct CronListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List cron schedules with their next and last fire times.",
        discussion: #"JSON: {"schedules": [{"name", "expression", "timeZone", "queue", "kind", "enabled", "missedRuns", "noOverlap", "nextFire", "lastFire"}]} (times UTC ISO-8601 or null)"#
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        let statuses: [CronScheduleStatus]
        do { statuses = try client.cronRegistry.list() } catch { throw CLIFailure.failed("\(error)") }
        if global.json {
            try Output.printJSON(["schedules": statuses.map { status -> [String: Any] in
                [
                    "name": status.schedule.name, "expression": status.schedule.expression, "timeZone": status.schedule.timeZone,
                    "queue": status.schedule.queue, "kind": status.schedule.kind, "enabled": status.schedule.enabled,
                    "missedRuns": status.schedule.missedRuns.rawValue, "noOverlap": status.schedule.noOverlap,
                    "nextFire": TimeFormat.json(status.nextFire),
                    "lastFire": TimeFormat.json(status.lastFireSlot),
                ]
            }])
            return
        }
        if statuses.isEmpty {
            Output.line("no cron schedules under prefix \(global.prefix)")
            return
        }
        Output.table(["NAME", "EXPRESSION", "ZONE", "QUEUE", "KIND", "ENABLED", "NEXT", "LAST"], statuses.map { status in
            [status.schedule.name, status.schedule.expression, status.schedule.timeZone, status.schedule.queue, status.schedule.kind,
             status.schedule.enabled ? "yes" : "no", TimeFormat.human(status.nextFire),
             TimeFormat.human(status.lastFireSlot)]
        })
    }
}

/// `spool cron enable NAME`.
struct CronEnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a cron schedule.",
                                                    discussion: #"JSON: {"name", "enabled": true}"#)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The schedule name.") var name: String
    func run() throws { try CronEnableCommand.set(name: name, enabled: true, global: global) }

    /// Enables or disables a schedule; exit 3 when there is none by that name.
    static func set(name: String, enabled: Bool, global: GlobalOptions) throws {
        let client = try global.client()
        do {
            try client.cronRegistry.setEnabled(name, enabled)
        } catch CronScheduleError.notFound {
            throw CLIFailure.notFound("no cron schedule \(name) under prefix \(global.prefix)")
        } catch {
            throw CLIFailure.failed("\(error)")
        }
        if global.json { try Output.printJSON(["name": name, "enabled": enabled]) } else {
            Output.line("cron schedule \(name) \(enabled ? "enabled" : "disabled")")
        }
    }
}

/// `spool cron disable NAME`.
struct CronDisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable a cron schedule (it fires nothing until enabled).",
                                                    discussion: #"JSON: {"name", "enabled": false}"#)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The schedule name.") var name: String
    func run() throws { try CronEnableCommand.set(name: name, enabled: false, global: global) }
}

/// `spool cron delete NAME`.
struct CronDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a cron schedule and its fire history.",
                                                    discussion: #"JSON: {"name", "deleted": true}"#)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The schedule name.") var name: String

    func run() throws {
        let client = try global.client()
        let deleted: Bool
        do { deleted = try client.cronRegistry.delete(name) } catch { throw CLIFailure.failed("\(error)") }
        guard deleted else { throw CLIFailure.notFound("no cron schedule \(name) under prefix \(global.prefix)") }
        if global.json { try Output.printJSON(["name": name, "deleted": true]) } else { Output.line("cron schedule \(name) deleted") }
    }
}
