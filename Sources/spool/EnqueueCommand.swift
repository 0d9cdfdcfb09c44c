import ArgumentParser
import Foundation
import Spool

/// `spool enqueue Q KIND --payload JSON|@file`: adds one job and prints its id.
struct EnqueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Enqueue one job and print its id.",
        discussion: """
        The payload is JSON text, or @path to read it from a file (default {}). With --id the enqueue is \
        idempotent; with --unique a held key returns the holder's id instead of creating a job.
        JSON: {"queue", "kind", "id", "outcome" ("created", "exists" or "duplicate"), "state" (null for a duplicate)}
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The queue.") var queue: String
    @Argument(help: "The handler kind, e.g. email.welcome.") var kind: String
    @Option(help: "JSON payload, or @file to read it from a file.") var payload = "{}"
    @Option(help: "Higher runs first (-32768…32767).") var priority = 0
    @Option(help: "Run no earlier than this long from now (500ms, 30s, 15m, 2h, 7d).", transform: DurationArgument.parse) var delay: Duration?
    @Option(name: .customLong("at"), help: "Run no earlier than this ISO-8601 time.") var runAt: String?
    @Option(help: "The job id (makes the enqueue idempotent).") var id: String?
    @Option(help: "A unique key: no second job with it while it is held.") var unique: String?
    @Option(help: "How long the unique key is held at most (default 1h).", transform: DurationArgument.parse) var uniqueFor: Duration?
    @Option(help: "Attempts before the job goes dead.") var maxAttempts: Int?

    func validate() throws {
        if delay != nil, runAt != nil { throw ValidationError("give either --delay or --at, not both") }
        if uniqueFor != nil, unique == nil { throw ValidationError("--unique-for needs --unique") }
        if let runAt, TimeFormat.parse(runAt) == nil {
            throw ValidationError("invalid time \"\(runAt)\" for --at: use ISO-8601, e.g. 2026-01-02T03:04:05Z or 2026-01-02T04:04:05+01:00")
        }
    }

    func run() throws {
        let json = try payloadText()
        let options = JobOptions(id: id, priority: priority, delay: delay, runAt: runAt.flatMap { TimeFormat.parse($0) },
                                 maxAttempts: maxAttempts, uniqueKey: unique, uniqueFor: uniqueFor ?? .seconds(3600))
        let client = try global.client()
        let result = try spool { () throws(SpoolError) in
            try client.queue(queue).enqueue(NewJob(kind: kind, json: json, options: options))
        }
        let outcome: String
        let state: JobState?
        switch result {
        case .created(_, let created): (outcome, state) = ("created", created)
        case .existing(_, let existing): (outcome, state) = ("exists", existing)
        case .duplicate: (outcome, state) = ("duplicate", nil)
        }
        if global.json {
            try Output.printJSON(["queue": queue, "kind": kind, "id": result.id, "outcome": outcome,
                                  "state": Output.orNull(state?.rawValue)])
            return
        }
        switch result {
        case .created(let id, let state): Output.line("\(id) (created, \(state.rawValue))")
        case .existing(let id, let state): Output.line("\(id) (already existed, \(state.rawValue))")
        case .duplicate(let holder): Output.line("\(holder) (duplicate: unique key \(unique ?? "") is held by this job)")
        }
    }

    /// The payload text, read from a file for `@path`.
    private func payloadText() throws -> String {
        guard payload.hasPrefix("@") else { return payload }
        let path = String(payload.dropFirst())
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure.usage("cannot read the payload file \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
