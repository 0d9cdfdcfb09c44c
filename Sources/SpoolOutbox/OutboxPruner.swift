/// Deletes published outbox rows older than a retention, a batch per statement, so no statement holds
/// many locks or runs long. Waiting and failed rows are never deleted. Safe to run from several relays
/// at once (each batch skips rows another one has locked).
public struct OutboxPruner: Sendable {
    /// Which outbox.
    public let configuration: OutboxConfiguration

    /// A pruner for the outbox `configuration` describes.
    public init(configuration: OutboxConfiguration = .standard) {
        self.configuration = configuration
    }

    /// Deletes rows published more than `retention` ago, `batchSize` per statement (each its own
    /// transaction), until a statement deletes fewer than `batchSize` or `shouldStop` returns true.
    ///
    /// Run it outside a transaction, so each batch commits on its own.
    public func prune(
        on connection: PostgresConnection, olderThan retention: Duration, batchSize: Int = 1000,
        shouldStop: () -> Bool = { false }
    ) throws(OutboxError) -> OutboxPruneResult {
        guard batchSize >= 1 else { throw .invalidConfiguration("prune batchSize must be at least 1, not \(batchSize)") }
        let sql = """
            DELETE FROM \(configuration.quotedTable) WHERE seq IN (
                SELECT seq FROM \(configuration.quotedTable)
                WHERE published_at < now() - $1::bigint * interval '1 millisecond'
                ORDER BY published_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            """
        var result = OutboxPruneResult(deleted: 0, statements: 0)
        while !shouldStop() {
            let deleted: Int
            do {
                deleted = try connection.execute(sql, [.int64(retention.wholeMilliseconds), .int(batchSize)])
            } catch {
                throw .postgres(error)
            }
            result.deleted += deleted
            result.statements += 1
            if deleted < batchSize { break }
        }
        return result
    }
}

/// What one ``OutboxPruner/prune(on:olderThan:batchSize:shouldStop:)`` call did.
public struct OutboxPruneResult: Sendable, Hashable {
    /// Rows deleted.
    public var deleted: Int
    /// DELETE statements run (the last one deleted fewer than a batch).
    public var statements: Int
}
