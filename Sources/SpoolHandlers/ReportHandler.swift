import Spool
import SpoolOutbox
import SpoolWorker

/// `spool.report`: runs a report defined in `jobs/reports/*.yaml` (see ``ReportDefinition``), writes its
/// rows as CSV / JSON Lines files under the reports root, then enqueues the definition's delivery jobs
/// (``ReportDelivery``). The payload is a ``ReportJob``; the result is the ``ReportManifest`` as JSON.
///
/// Files are named after the job's creation time and id, so a retry rewrites the same names, and delivery
/// jobs have ids derived from the job's, so a retry enqueues nothing twice.
///
/// Failures: an unknown report, a bad parameter and an SQL error fail permanently; a statement timeout, a
/// lost or refused connection, serialization failures, server resource errors, I/O trouble and a failed
/// delivery enqueue retry (a timeout may be a passing lock or load; raise the report's `timeout` if it is not).
public struct ReportHandler: JobHandler {
    public typealias Payload = ReportJob

    /// `spool.report`.
    public let kind = "spool.report"
    /// The runner doing the work.
    public let runner: ReportRunner
    /// Where delivery jobs are enqueued.
    public let client: SpoolClient

    /// Creates the handler.
    public init(runner: ReportRunner, client: SpoolClient) {
        self.runner = runner
        self.client = client
    }

    /// Runs one job on the worker's thread.
    public func perform(_ payload: ReportJob, context: JobContext) async throws -> String? {
        let runner = self.runner
        let client = self.client
        do {
            let run = try await context.blocking {
                let run = try runner.run(payload, jobID: context.jobID, queue: context.queue, now: context.createdAt) {
                    try context.checkCancellation()
                }
                for delivery in run.deliveries { try client.queue(delivery.queue).enqueue(delivery.newJob) }
                return run
            }
            if !run.deliveries.isEmpty {
                context.logger.info("report delivered by job", metadata: ["deliveries": "\(run.deliveries.map(\.id).joined(separator: ", "))"])
            }
            return run.manifest.json()
        } catch let error as ReportError {
            throw JobFailure.permanent(error.description)
        } catch let error as FileHandlerError {
            throw error.isPermanent ? JobFailure.permanent(error.description) : JobFailure.retry(error.description)
        } catch let error as PostgresError {
            throw Self.isTransient(error) ? JobFailure.retry(error.description) : JobFailure.permanent(error.description)
        } catch let error as SpoolError {
            throw JobFailure.retry("report written, but its delivery could not be enqueued: \(error.description)")
        }
    }

    /// Whether retrying can help with `error`.
    public static func isTransient(_ error: PostgresError) -> Bool {
        switch error {
        case .connectionFailed, .connectionLost, .statementTimeout: return true
        default:
            guard let state = error.sqlState else { return false }
            return state.hasPrefix("40") || state.hasPrefix("53") || state.hasPrefix("57P") || state.hasPrefix("08")
        }
    }
}
