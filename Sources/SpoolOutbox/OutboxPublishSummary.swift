/// What one or more relay passes did.
public struct OutboxPublishSummary: Sendable, Hashable {
    /// Rows claimed.
    public var claimed = 0
    /// Rows marked published.
    public var published = 0
    /// Of those, rows whose job was already in Redis.
    public var alreadyInRedis = 0
    /// Rows marked failed.
    public var failed = 0
    /// Rows that failed to publish and will be retried.
    public var retried = 0

    /// All zero.
    public init() {}

    mutating func add(_ other: OutboxPublishSummary) {
        claimed += other.claimed
        published += other.published
        alreadyInRedis += other.alreadyInRedis
        failed += other.failed
        retried += other.retried
    }
}
