import ArgumentParser
import Foundation
import Spool
import SpoolOutbox

/// `spool outbox migrate|status`: the Postgres outbox table.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Create or upgrade the outbox table, or show its state.",
        subcommands: [OutboxMigrateCommand.self, OutboxStatusCommand.self]
    )
}

/// Where the outbox lives.
struct OutboxOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: ArgumentHelp("Postgres URL or conninfo (env SPOOL_DATABASE_URL).", valueName: "url"))
    var databaseOption: String?
    @Option(help: "Schema of the outbox table.") var schema = "public"
    @Option(help: "Name of the outbox table.") var table = "spool_outbox"

    /// A connection and the outbox configuration; exit 2 when no database is given.
    func open() throws -> (PostgresConnection, OutboxConfiguration) {
        guard let url = databaseOption ?? ProcessInfo.processInfo.environment["SPOOL_DATABASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw CLIFailure.usage("no database: pass --database URL or set SPOOL_DATABASE_URL")
        }
        let configuration: OutboxConfiguration
        do { configuration = try OutboxConfiguration(schema: schema, table: table) } catch { throw CLIFailure.usage("\(error)") }
        do {
            return (try PostgresConnection(url), configuration)
        } catch {
            throw CLIFailure.failed("\(error)")
        }
    }
}

/// `spool outbox migrate`: creates or upgrades the table (idempotent; refuses a newer schema).
struct OutboxMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the outbox table (safe to run again).",
                                                    discussion: #"JSON: {"table", "from", "to", "applied"}"#)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var outbox: OutboxOptions

    func run() throws {
        let (connection, configuration) = try outbox.open()
        defer { connection.close() }
        let result: OutboxMigrationResult
        do { result = try OutboxMigrator(connection: connection, configuration: configuration).migrate() } catch {
            throw CLIFailure.failed("\(error)")
        }
        if global.json {
            try Output.printJSON(["table": configuration.qualifiedName, "from": result.from, "to": result.to, "applied": result.applied])
        } else if result.applied.isEmpty {
            Output.line("outbox \(configuration.qualifiedName) is current (version \(result.to))")
        } else {
            Output.line("outbox \(configuration.qualifiedName) migrated from version \(result.from) to \(result.to)")
        }
    }
}

/// `spool outbox status`: version, backlog, lag and recent failures.
struct OutboxStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the outbox's version, backlog, oldest unpublished row and failed rows.",
        discussion: #"JSON: {"table", "version", "latestVersion", "unpublished", "retrying", "oldestUnpublishedAgeMs", "published", "failed", "recentFailures": [{"jobId", "queue", "kind", "attempts", "error", "failedAt"}]}"#)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var outbox: OutboxOptions

    func run() throws {
        let (connection, configuration) = try outbox.open()
        defer { connection.close() }
        let status: OutboxStatus
        do { status = try OutboxMigrator(connection: connection, configuration: configuration).status() } catch {
            throw CLIFailure.failed("\(error)")
        }
        let ageMs = status.oldestUnpublishedAge.map { Int($0.wholeMilliseconds) }
        if global.json {
            try Output.printJSON([
                "table": status.table, "version": status.version, "latestVersion": status.latestVersion,
                "unpublished": status.unpublished, "retrying": status.retrying, "oldestUnpublishedAgeMs": Output.orNull(ageMs),
                "published": status.published, "failed": status.failed,
                "recentFailures": status.recentFailures.map { failure -> [String: Any] in
                    ["jobId": failure.jobID, "queue": failure.queue, "kind": failure.kind, "attempts": failure.attempts,
                     "error": failure.error, "failedAt": TimeFormat.json(failure.failedAt)]
                },
            ])
            return
        }
        Output.table(["TABLE", "VERSION", "UNPUBLISHED", "RETRYING", "OLDEST", "PUBLISHED", "FAILED"], [[
            status.table, status.isCurrent ? "\(status.version)" : "\(status.version) (latest \(status.latestVersion))",
            "\(status.unpublished)", "\(status.retrying)", ageMs.map { "\($0) ms" } ?? "-", "\(status.published)", "\(status.failed)",
        ]])
        if !status.recentFailures.isEmpty {
            Output.line("")
            Output.table(["FAILED JOB", "QUEUE", "KIND", "ATTEMPTS", "ERROR"], status.recentFailures.map {
                [$0.jobID, $0.queue, $0.kind, "\($0.attempts)", String($0.error.prefix(80))]
            })
        }
    }
}
