/// Fault injection for tests: code the relay runs at its critical points.
struct OutboxRelayHooks: Sendable {
    /// Runs after the batch was enqueued to Redis and before it is marked published and committed, with
    /// the transaction's connection and the batch's job ids. Throwing rolls the transaction back, as a
    /// crash at that point would.
    var afterEnqueueBeforeCommit: (@Sendable (PostgresConnection, [String]) throws -> Void)?
}
