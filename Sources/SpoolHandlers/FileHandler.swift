import SpoolWorker

/// `spool.file`: verifies, checksums, (de)compresses, converts CSV to JSON Lines and copies or moves files
/// between two confined roots, or from an `https://` URL into the destination root. The payload is a
/// ``FileJob``; the result is the ``FileManifest`` as JSON.
///
/// Bad input (a path escaping its root, a refused type, invalid CSV or gzip, a missing source, a bad step
/// list, a refused URL, a body over `max_bytes`) fails permanently, and so do downloads answered 3xx or 4xx
/// (except 408 and 429) or refused by the SSRF guard; I/O trouble, 408/429/5xx answers, network, TLS and
/// timeout failures and cut connections retry. Cancellation (and the job's deadline) is checked between
/// chunks and, while a download waits, about once a second.
public struct FileHandler: JobHandler {
    public typealias Payload = FileJob

    /// `spool.file`.
    public let kind = "spool.file"
    /// The processor doing the work.
    public let processor: FileProcessor

    /// Creates the handler.
    public init(configuration: FileHandlerConfiguration) {
        processor = FileProcessor(configuration: configuration)
    }

    /// Runs one job on the worker's thread.
    public func perform(_ payload: FileJob, context: JobContext) async throws -> String? {
        let processor = self.processor
        do {
            let manifest = try await context.blocking {
                try processor.run(payload, jobID: context.jobID) { written in
                    try context.checkCancellation()
                    context.reportProgress(0, note: "\(written) bytes written")
                }
            }
            return manifest.json()
        } catch let error as FileHandlerError {
            context.logger.warning("file job failed", metadata: ["error": "\(error)"])
            throw error.isPermanent ? JobFailure.permanent(error.description) : JobFailure.retry(error.description)
        }
    }
}
