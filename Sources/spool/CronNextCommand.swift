import ArgumentParser
import Foundation
import Spool

/// `spool cron next "<expr>"`: the next fire times of a cron expression; needs no Redis.
struct CronNextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "next",
        abstract: "Print the next fire times of a cron expression.",
        discussion: """
        Prints one ISO-8601 time with its offset per line, in --tz (default: the local zone).
        JSON: {"expression" (normalized), "timeZone", "from", "times" (UTC), "localTimes" (in --tz, with offset)}
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The cron expression, e.g. \"*/15 9-17 * * MON-FRI\".") var expression: String
    @Option(help: "IANA time zone, e.g. Europe/Berlin (default: local).") var tz: String?
    @Option(help: "Start after this ISO-8601 time (default: now).") var from: String?
    @Option(help: "How many fire times (1–1000).") var count = 5

    func validate() throws {
        guard (1...1000).contains(count) else { throw ValidationError("--count must be between 1 and 1000, not \(count)") }
    }

    func run() throws {
        let zone: TimeZone
        if let tz {
            guard let named = TimeZone(identifier: tz) else {
                throw CLIFailure.usage("unknown time zone \"\(tz)\": use an IANA name such as Europe/Berlin or UTC")
            }
            zone = named
        } else {
            zone = .current
        }
        var start = Date()
        if let from {
            guard let parsed = TimeFormat.parse(from, in: zone) else {
                throw CLIFailure.usage("invalid time \"\(from)\" for --from: use ISO-8601, e.g. 2026-01-02T03:04:05Z")
            }
            start = parsed
        }
        let cron: CronExpression
        do { cron = try CronExpression(expression) } catch { throw CLIFailure.usage(error.description) }
        let times = cron.nextDates(after: start, in: zone, count: count)
        if global.json {
            try Output.printJSON(["expression": cron.description, "timeZone": zone.identifier, "from": TimeFormat.json(start),
                                  "times": times.map { TimeFormat.json($0) }, "localTimes": times.map { TimeFormat.human($0, in: zone) }])
            return
        }
        for time in times { Output.line(TimeFormat.human(time, in: zone)) }
    }
}
