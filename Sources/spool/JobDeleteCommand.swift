import ArgumentParser
import Spool

/// `spool job delete Q ID`: removes one job, whatever its state.
struct JobDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete one job, whatever its state.",
        discussion: #"JSON: {"queue", "id", "deleted": true}"#
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The queue.") var queue: String
    @Argument(help: "The job id.") var id: String

    func run() throws {
        let client = try global.client()
        let handle = try global.existingQueue(queue, in: client)
        let deleted = try spool { () throws(SpoolError) in try handle.delete(id: id) }
        guard deleted else { throw CLIFailure.notFound("no job \(id) in queue \(queue)") }
        if global.json {
            try Output.printJSON(["queue": queue, "id": id, "deleted": true])
        } else {
            Output.line("job \(id) deleted")
        }
    }
}
