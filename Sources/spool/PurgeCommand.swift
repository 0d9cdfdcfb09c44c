import ArgumentParser
import Foundation
import Spool

/// `spool purge Q --state S`: removes many jobs at once, after saying how many and getting a yes.
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove the jobs of a queue in one state (after confirmation).",
        discussion: """
        Prints how many jobs would be removed, then asks y/N on a terminal. Without a terminal it refuses \
        (exit 2) unless --yes is given. --dry-run only counts. --older-than compares the time of death or \
        completion for dead/done jobs and the enqueue time otherwise.
        JSON: {"queue", "state", "kind", "olderThanMs", "dryRun", "matched" (jobs that match), "removed"}
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "ready, scheduled, active, dead or done.") var state: JobState
    @Option(help: "Only jobs older than this (500ms, 30s, 15m, 2h, 7d).", transform: DurationArgument.parse) var olderThan: Duration?
    @Option(help: "Only jobs of this kind.") var kind: String?
    @Flag(help: "Only count what would be removed.") var dryRun = false
    @Flag(help: "Do not ask for confirmation.") var yes = false

    func run() throws {
        let client = try global.client()
        let handle = try global.existingQueue(queue, in: client)
        let matched = try spool { () throws(SpoolError) in try handle.purge(state: state, olderThan: olderThan, kind: kind, dryRun: true) }
        let what = "\(matched) \(state.rawValue) job\(matched == 1 ? "" : "s")\(kind.map { " of kind \($0)" } ?? "")"
            + "\(olderThan.map { " older than \(DurationArgument.human($0))" } ?? "") in queue \(queue)"
        var removed = 0
        if !dryRun, matched > 0 {
            if !yes {
                guard isatty(0) == 1 else {
                    throw CLIFailure.usage("refusing to purge \(what) without confirmation: no terminal to ask on; pass --yes")
                }
                Output.printError("would remove \(what)")
                FileHandle.standardError.write(Data("Remove them? [y/N] ".utf8))
                let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                guard answer == "y" || answer == "yes" else { throw CLIFailure.failed("purge cancelled; nothing removed") }
            }
            removed = try spool { () throws(SpoolError) in try handle.purge(state: state, olderThan: olderThan, kind: kind) }
        }
        if global.json {
            try Output.printJSON(["queue": queue, "state": state.rawValue, "kind": Output.orNull(kind),
                                  "olderThanMs": Output.orNull(olderThan?.wholeMilliseconds), "dryRun": dryRun,
                                  "matched": matched, "removed": removed])
        } else if dryRun {
            Output.line("would remove \(what) (dry run; nothing removed)")
        } else {
            Output.line("removed \(removed) of \(what)")
        }
    }
}
