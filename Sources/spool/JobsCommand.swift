import ArgumentParser
import Foundation
import Spool

/// `spool jobs Q --state S`: one page of a queue's jobs in one state, and the cursor of the next page.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List one page of a queue's jobs in a state.",
        discussion: """
        Pass the printed next cursor with --cursor to get the following page; the listing ends when it is null.
        JSON: {"queue", "state", "jobs": [{"id", "kind", "state", "attempts", "priority", "createdAt", "at" (due time \
        for scheduled, lease deadline for active, finish time for dead/done; null for ready), "lastError"}], \
        "nextCursor" (null at the end)}
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "ready, scheduled, active, dead or done.") var state: JobState
    @Option(help: "Only jobs of this kind.") var kind: String?
    @Option(help: "Jobs per page (1–1000).") var limit = 50
    @Option(help: "The cursor printed by the previous page.") var cursor: String?

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000, not \(limit)") }
    }

    func run() throws {
        let client = try global.client()
        let handle = try global.existingQueue(queue, in: client)
        let page = try spool { () throws(SpoolError) in try handle.list(state: state, kind: kind, limit: limit, cursor: cursor) }
        let timed = state != .ready
        if global.json {
            let jobs = page.jobs.map { job -> [String: Any] in
                ["id": job.id, "kind": job.kind, "state": job.state.rawValue, "attempts": job.attempts, "priority": job.priority,
                 "createdAt": TimeFormat.json(job.createdAt),
                 "at": timed ? TimeFormat.json(Date(timeIntervalSince1970: job.score / 1000)) : NSNull(),
                 "lastError": Output.orNull(job.lastError)]
            }
            try Output.printJSON(["queue": queue, "state": state.rawValue, "jobs": jobs, "nextCursor": Output.orNull(page.nextCursor)])
            return
        }
        Output.table(["ID", "KIND", "STATE", "ATT", "PRI", "CREATED", "AT", "LAST ERROR"], page.jobs.map { job in
            [job.id, job.kind, job.state.rawValue, "\(job.attempts)", "\(job.priority)", TimeFormat.human(job.createdAt),
             timed ? TimeFormat.human(Date(timeIntervalSince1970: job.score / 1000)) : "-", job.lastError.map(Self.oneLine) ?? ""]
        })
        Output.line("")
        Output.line(page.nextCursor.map { "next cursor: \($0)" } ?? "next cursor: (none, end of listing)")
    }

    /// The first line of `text`, cut to 60 characters.
    static func oneLine(_ text: String) -> String {
        let first = text.split(separator: "\n").first.map(String.init) ?? text
        return first.count > 60 ? String(first.prefix(59)) + "…" : first
    }
}
