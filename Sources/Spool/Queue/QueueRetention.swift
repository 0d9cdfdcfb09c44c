/// How much history a queue keeps. Every limit bounds Redis memory.
public struct QueueRetention: Sendable, Hashable {
    /// Keep the details (payload, result) of completed jobs; by default only their ids are kept, for the
    /// idempotency window, and counters.
    public var keepCompletedDetails: Bool
    /// Completed ids (and details) kept at most this many…
    public var completedMaxCount: Int
    /// …and at most this long. Re-enqueueing a completed job's id within this window is a no-op.
    public var completedMaxAge: Duration
    /// Dead jobs kept at most this many…
    public var deadMaxCount: Int
    /// …and at most this long.
    public var deadMaxAge: Duration
    /// Failed attempts kept in each job's error history.
    public var errorHistory: Int

    /// Creates a retention policy; defaults: completed ids 100,000 / 1 h without details; dead 10,000 / 30 days;
    /// 10 errors per job.
    public init(keepCompletedDetails: Bool = false, completedMaxCount: Int = 100_000,
                completedMaxAge: Duration = .seconds(3600), deadMaxCount: Int = 10_000,
                deadMaxAge: Duration = .seconds(30 * 86400), errorHistory: Int = 10) {
        self.keepCompletedDetails = keepCompletedDetails
        self.completedMaxCount = completedMaxCount
        self.completedMaxAge = completedMaxAge
        self.deadMaxCount = deadMaxCount
        self.deadMaxAge = deadMaxAge
        self.errorHistory = errorHistory
    }
}
