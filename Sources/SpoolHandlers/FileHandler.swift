import SpoolWorker

/// `spool.file`: verifies, checksums, (de)compresses, converts CSV to JSON Lines and copies or moves files
/// between two confined roots. The payload is a ``FileJob``; the result is the ``FileManifest`` as JSON.
///
/// Bad input (a path escaping its root, a refused type, invalid CSV or gzip, a missing source, a bad step
/// list) fails permanently; I/O trouble retries. Cancellation is checked between chunks.
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
