import ArgumentParser
import Foundation
import Spool

/// The Spool admin CLI: inspect queues and jobs, retry, delete, purge, pause, enqueue, list workers and
/// preview cron schedules, manage disabled webhook endpoints and suppressed email addresses.
///
/// Exit codes: 0 success, 1 the operation failed (Redis unreachable, …), 2 usage error (bad option, bad
/// duration, purge refused without a terminal), 3 not found (queue or job missing).
///
/// Every command takes `--redis URL` (env `SPOOL_REDIS_URL`, default `redis://127.0.0.1:6379`),
/// `--prefix P` (env `SPOOL_PREFIX`, default `spool`) and `--json` (one JSON document on stdout; the field
/// names are listed in each command's `--help`; times are UTC ISO-8601, durations are in milliseconds).
@main
struct SpoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool",
        abstract: "Administer Spool job queues on Redis.",
        discussion: """
        Exit codes: 0 success, 1 operation failed, 2 usage error, 3 queue or job not found.
        With --json every command prints exactly one JSON document on stdout; times are UTC ISO-8601 \
        (e.g. 2026-01-02T03:04:05.678Z) and durations are integer milliseconds (fields ending in Ms).
        """,
        subcommands: [
            StatsCommand.self, QueuesCommand.self, QueueCommand.self, JobsCommand.self, JobCommand.self,
            PurgeCommand.self, EnqueueCommand.self, WorkersCommand.self, CronCommand.self, OutboxCommand.self,
            WebhookCommand.self, EmailCommand.self,
        ]
    )

    /// Parses the command line, runs the command and maps every failure to Spool's exit codes
    /// (ArgumentParser's own usage code 64 becomes 2).
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CLIFailure {
            Output.printError(failure.message)
            Foundation.exit(failure.exitCode)
        } catch let error as SpoolError {
            let failure = CLIFailure(error)
            Output.printError(failure.message)
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Output.printError(fullMessage(for: error))
                Foundation.exit(CLIFailure.usageCode)
            }
            exit(withError: error)
        }
    }
}
