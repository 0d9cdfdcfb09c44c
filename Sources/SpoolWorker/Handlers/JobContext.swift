import Foundation
import Logging
import Spool
import Synchronization

/// What a handler knows about the attempt it runs, and how it talks back.
public final class JobContext: Sendable {
    /// The job id (stable across attempts: use it as an idempotency key downstream).
    public let jobID: String
    /// The queue.
    public let queue: String
    /// The kind.
    public let kind: String
    /// This attempt's number (1-based).
    public let attempt: Int
    /// When the job was enqueued (the same on every attempt: handlers name outputs after it to stay idempotent).
    public let createdAt: Date
    /// When this attempt must be done; past it, `isCancelled` turns true.
    public let deadline: ContinuousClock.Instant
    /// A logger with the job's metadata (job id, queue, kind, attempt); built when first asked for.
    public var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: "job"] = "\(jobID)"
        logger[metadataKey: "queue"] = "\(queue)"
        logger[metadataKey: "kind"] = "\(kind)"
        logger[metadataKey: "attempt"] = "\(attempt)"
        return logger
    }
    private let baseLogger: Logger
    private let state = Mutex<State>(State())
    private let blockingRunner: @Sendable (@escaping @Sendable () -> Void) -> Void

    struct State {
        var cancelled = false
        var progress: Double?
        var progressNote: String?
    }

    init(job: LeasedJob, deadline: ContinuousClock.Instant, logger: Logger,
         blockingRunner: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        jobID = job.id
        queue = job.queue
        kind = job.kind
        attempt = job.attempt
        createdAt = job.createdAt
        self.deadline = deadline
        baseLogger = logger
        self.blockingRunner = blockingRunner
    }

    /// True once the deadline passed, the lease was lost, or the worker is shutting down past its grace:
    /// a well-behaved handler stops soon after (throwing `CancellationError` is fine).
    public var isCancelled: Bool {
        state.withLock { $0.cancelled } || ContinuousClock.now >= deadline
    }

    /// Throws `CancellationError` when `isCancelled`.
    public func checkCancellation() throws {
        if isCancelled { throw CancellationError() }
    }

    /// Reports progress (0…1) with an optional note; kept in memory for the worker's status.
    public func reportProgress(_ fraction: Double, note: String? = nil) {
        state.withLock {
            $0.progress = max(0, min(1, fraction))
            $0.progressNote = note
        }
    }

    /// The latest progress report.
    public var progress: (fraction: Double, note: String?)? {
        state.withLock { state in state.progress.map { ($0, state.progressNote) } }
    }

    /// Runs blocking work (C calls, file I/O) on the Spool worker thread that owns this job and returns its result.
    public func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            blockingRunner {
                do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    func cancel() { state.withLock { $0.cancelled = true } }
}
