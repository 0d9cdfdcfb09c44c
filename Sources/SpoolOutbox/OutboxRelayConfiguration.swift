/// How an ``OutboxRelay`` works: batch size, wake-ups, retries, backoff and pruning.
public struct OutboxRelayConfiguration: Sendable {
    /// Which outbox to relay (schema, table, channel).
    public var outbox: OutboxConfiguration
    /// Rows claimed and published per transaction (default 500). A full batch is followed at once by
    /// the next one, so a backlog drains without waiting for notifications.
    public var batchSize: Int
    /// The safety-net poll: a pass runs at least this often even when no notification arrives
    /// (default 2 s). Notifications wake the relay at once.
    public var pollInterval: Duration
    /// Attempts before a row that keeps failing to publish is marked failed (default 5). Rows that can
    /// never be published (invalid options, payload too large, bad queue name) fail at once.
    public var maxPublishAttempts: Int
    /// Published rows older than this are deleted (default 7 days).
    public var retention: Duration
    /// How often the relay prunes (default every minute, and once at start).
    public var pruneInterval: Duration
    /// Rows deleted per pruning statement (default 1000), so pruning never holds long locks.
    public var pruneBatchSize: Int
    /// The first wait after Redis or Postgres fails (default 100 ms); it doubles up to ``maxBackoff``.
    public var minBackoff: Duration
    /// The longest wait between retries while Redis or Postgres is down (default 5 s).
    public var maxBackoff: Duration

    /// A configuration; every value has a default.
    public init(
        outbox: OutboxConfiguration = .standard, batchSize: Int = 500, pollInterval: Duration = .seconds(2),
        maxPublishAttempts: Int = 5, retention: Duration = .seconds(7 * 86_400), pruneInterval: Duration = .seconds(60),
        pruneBatchSize: Int = 1000, minBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5)
    ) {
        self.outbox = outbox
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.maxPublishAttempts = maxPublishAttempts
        self.retention = retention
        self.pruneInterval = pruneInterval
        self.pruneBatchSize = pruneBatchSize
        self.minBackoff = minBackoff
        self.maxBackoff = maxBackoff
    }

    /// Throws ``OutboxError/invalidConfiguration(_:)`` for a value that cannot work.
    func validate() throws(OutboxError) {
        guard (1...10_000).contains(batchSize) else {
            throw .invalidConfiguration("relay batchSize must be 1…10000, not \(batchSize)")
        }
        guard pollInterval > .zero else { throw .invalidConfiguration("relay pollInterval must be positive") }
        guard maxPublishAttempts >= 1 else {
            throw .invalidConfiguration("relay maxPublishAttempts must be at least 1, not \(maxPublishAttempts)")
        }
        guard retention > .zero else { throw .invalidConfiguration("relay retention must be positive") }
        guard pruneInterval > .zero else { throw .invalidConfiguration("relay pruneInterval must be positive") }
        guard (1...100_000).contains(pruneBatchSize) else {
            throw .invalidConfiguration("relay pruneBatchSize must be 1…100000, not \(pruneBatchSize)")
        }
        guard minBackoff > .zero, maxBackoff >= minBackoff else {
            throw .invalidConfiguration("relay backoff needs 0 < minBackoff ≤ maxBackoff")
        }
    }
}
