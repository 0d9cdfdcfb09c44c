import SpoolOutbox
import SpoolWorker

/// `spool.report`: runs a report defined in `jobs/reports/*.yaml` (see ``ReportDefinition``) and writes its
/// rows as CSV / JSON Lines files under the reports root. The payload is a ``ReportJob``; the result is the
/// ``ReportManifest`` as JSON.
///
/// Failures: an unknown report, a bad parameter, an SQL error and a statement timeout fail permanently
/// (the same query would time out again — raise the report's `timeout`); a lost or refused connection,
/// serialization failures, server resource errors and I/O trouble retry.
public struct ReportHandler: JobHandler {
    public typealias Payload = ReportJob

    /// `spool.report`.
    public let kind = "spool.report"
    /// The runner doing the work.
    public let runner: ReportRunner

    /// Creates the handler.
    public init(runner: ReportRunner) { self.runner = runner }

    /// Runs one job on the worker's thread.
    public func perform(_ payload: ReportJob, context: JobContext) async throws -> String? {
        let runner = self.runner
        do {
            let manifest = try await context.blocking {
                try runner.run(payload, jobID: context.jobID) { try context.checkCancellation() }
            }
            return manifest.json()
        } catch let error as ReportError {
            throw JobFailure.permanent(error.description)
        } catch let error as FileHandlerError {
            throw error.isPermanent ? JobFailure.permanent(error.description) : JobFailure.retry(error.description)
        } catch let error as PostgresError {
            throw Self.isTransient(error) ? JobFailure.retry(error.description) : JobFailure.permanent(error.description)
        }
    }

    /// Whether retrying can help with `error`.
    public static func isTransient(_ error: PostgresError) -> Bool {
        switch error {
        case .connectionFailed, .connectionLost: return true
        case .statementTimeout: return false
        default:
            guard let state = error.sqlState else { return false }
            return state.hasPrefix("40") || state.hasPrefix("53") || state.hasPrefix("57P") || state.hasPrefix("08")
        }
    }
}
