import ArgumentParser
import Spool

/// `spool job retry Q ID` or `spool job retry Q --all-dead [--kind K]`: dead jobs back to ready.
struct JobRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Move a dead job (or all dead jobs) back to ready.",
        discussion: """
        Only dead jobs can be retried; their attempts start again from zero.
        JSON: one job: {"queue", "id", "retried": 1}; --all-dead: {"queue", "kind" (null when not filtered), "retried"}
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The queue.") var queue: String
    @Argument(help: "The job id (omit with --all-dead).") var id: String?
    @Flag(help: "Retry every dead job of the queue.") var allDead = false
    @Option(help: "With --all-dead: only jobs of this kind.") var kind: String?

    func validate() throws {
        if allDead, id != nil { throw ValidationError("give either a job id or --all-dead, not both") }
        if !allDead, id == nil { throw ValidationError("give a job id, or --all-dead to retry every dead job") }
        if kind != nil, !allDead { throw ValidationError("--kind only applies with --all-dead") }
    }

    func run() throws {
        let client = try global.client()
        let handle = try global.existingQueue(queue, in: client)
        if let id {
            let moved = try spool { () throws(SpoolError) in try handle.retry(id: id) }
            if !moved {
                guard let job = try spool({ () throws(SpoolError) in try handle.job(id: id) }) else {
                    throw CLIFailure.notFound("no job \(id) in queue \(queue)")
                }
                throw CLIFailure.failed("job \(id) in queue \(queue) is \(job.state.rawValue), not dead; only dead jobs can be retried")
            }
            if global.json {
                try Output.printJSON(["queue": queue, "id": id, "retried": 1])
            } else {
                Output.line("job \(id) moved back to ready")
            }
            return
        }
        let moved = try spool { () throws(SpoolError) in try handle.retryAllDead(kind: kind) }
        if global.json {
            try Output.printJSON(["queue": queue, "kind": Output.orNull(kind), "retried": moved])
        } else {
            Output.line("\(moved) dead job\(moved == 1 ? "" : "s")\(kind.map { " of kind \($0)" } ?? "") moved back to ready")
        }
    }
}
