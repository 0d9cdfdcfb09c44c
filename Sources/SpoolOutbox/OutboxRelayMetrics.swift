#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Counters of one ``OutboxRelay`` since it was created (read them with ``OutboxRelay/metrics``).
public struct OutboxRelayMetrics: Sendable, Hashable {
    /// Rows marked published.
    public var published = 0
    /// Of those, rows whose job already existed in Redis (a re-send after a crash, or an id enqueued twice).
    public var alreadyInRedis = 0
    /// Rows marked failed (given up on).
    public var failed = 0
    /// Failed publish attempts that will be retried.
    public var retried = 0
    /// Published rows deleted by pruning.
    public var pruned = 0
    /// Transactions that claimed rows.
    public var batches = 0
    /// Passes rolled back because Redis or Postgres failed.
    public var outages = 0
    /// How long the oldest row of the last published batch had waited (created → claimed).
    public var lastLag: Duration?
    /// When the last batch was published.
    public var lastPublishedAt: Date?
    /// The last error seen (outage, failed row or pruning), if any.
    public var lastError: String?

    /// All zero.
    public init() {}
}
