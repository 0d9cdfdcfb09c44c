import ArgumentParser
import Foundation
import Spool

/// `spool job show Q ID`: everything stored about one job, including its error history.
struct JobShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show everything about one job, including its error history.",
        discussion: """
        JSON: {"id", "queue", "kind", "state", "priority", "attempts", "maxAttempts", "backoff", "timeoutMs", \
        "uniqueKey", "createdAt", "runAt", "startedAt", "finishedAt", "deadReason", "lastError", "stalls", "result", \
        "payload" (the JSON value; null when not retained), "errors": [{"attempt", "at", "error", "kind"}]}. \
        Unset fields are null.
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The queue.") var queue: String
    @Argument(help: "The job id.") var id: String

    func run() throws {
        let client = try global.client()
        let handle = try global.existingQueue(queue, in: client)
        guard let job = try spool({ () throws(SpoolError) in try handle.job(id: id) }) else {
            throw CLIFailure.notFound("no job \(id) in queue \(queue)")
        }
        if global.json {
            try Output.printJSON(Self.json(job))
        } else {
            printHuman(job)
        }
    }

    /// The JSON object of a job.
    static func json(_ job: Job) -> [String: Any] {
        var payload: Any = NSNull()
        if !job.payload.isEmpty {
            payload = (try? JSONSerialization.jsonObject(with: Data(job.payload), options: [.fragmentsAllowed])) ?? job.payloadText
        }
        return [
            "id": job.id, "queue": job.queue, "kind": job.kind, "state": job.state.rawValue, "priority": job.priority,
            "attempts": job.attempts, "maxAttempts": Output.orNull(job.maxAttempts),
            "backoff": Output.orNull(job.backoff.flatMap(\.encoded)), "timeoutMs": Output.orNull(job.timeout?.wholeMilliseconds),
            "uniqueKey": Output.orNull(job.uniqueKey), "createdAt": TimeFormat.json(job.createdAt), "runAt": TimeFormat.json(job.runAt),
            "startedAt": TimeFormat.json(job.startedAt), "finishedAt": TimeFormat.json(job.finishedAt),
            "deadReason": Output.orNull(job.deadReason), "lastError": Output.orNull(job.lastError), "stalls": job.stalls,
            "result": Output.orNull(job.result), "payload": payload,
            "errors": job.errors.map { record -> [String: Any] in
                ["attempt": record.attempt, "at": TimeFormat.json(record.at), "error": record.error, "kind": record.kind]
            },
        ]
    }

    private func printHuman(_ job: Job) {
        let rows: [(String, String)] = [
            ("id", job.id), ("queue", job.queue), ("kind", job.kind), ("state", job.state.rawValue), ("priority", "\(job.priority)"),
            ("attempts", "\(job.attempts)" + (job.maxAttempts.map { " of \($0)" } ?? "")),
            ("backoff", job.backoff.flatMap(\.encoded) ?? "-"), ("timeout", job.timeout.map(DurationArgument.human) ?? "-"),
            ("unique key", job.uniqueKey ?? "-"), ("created", TimeFormat.human(job.createdAt)), ("run at", TimeFormat.human(job.runAt)),
            ("started", TimeFormat.human(job.startedAt)), ("finished", TimeFormat.human(job.finishedAt)),
            ("dead reason", job.deadReason ?? "-"), ("stalls", "\(job.stalls)"), ("last error", job.lastError ?? "-"),
            ("result", job.result ?? "-"), ("payload", job.payload.isEmpty ? "-" : job.payloadText),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows { Output.line((label + ":").padding(toLength: width + 2, withPad: " ", startingAt: 0) + value) }
        Output.line("")
        if job.errors.isEmpty {
            Output.line("error history: none")
        } else {
            Output.line("error history:")
            Output.table(["ATTEMPT", "AT", "KIND", "ERROR"], job.errors.map { record in
                ["\(record.attempt)", TimeFormat.human(record.at), record.kind, record.error]
            })
        }
    }
}
