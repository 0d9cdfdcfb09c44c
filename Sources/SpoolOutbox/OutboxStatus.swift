#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What ``OutboxMigrator/status(failureLimit:)`` reports: the schema version and the state of the rows.
public struct OutboxStatus: Sendable, Hashable {
    /// `schema.table`.
    public var table: String
    /// The schema version in the database (0: not migrated).
    public var version: Int
    /// The version this code expects.
    public var latestVersion: Int
    /// Rows waiting to be published (neither published nor failed).
    public var unpublished: Int
    /// Of those, rows that failed to publish at least once and will be retried.
    public var retrying: Int
    /// How long the oldest waiting row has waited, or `nil` when none waits.
    public var oldestUnpublishedAge: Duration?
    /// Published rows not pruned yet.
    public var published: Int
    /// Rows given up on (invalid, or out of attempts): they stay until an operator deletes them.
    public var failed: Int
    /// The most recently failed rows, newest first.
    public var recentFailures: [OutboxFailure]

    /// Whether the schema is at the version this code expects.
    public var isCurrent: Bool { version == latestVersion }
}

/// A row the relay gave up on, and why.
public struct OutboxFailure: Sendable, Hashable {
    /// The row's position in the outbox.
    public var seq: Int64
    /// The job id.
    public var jobID: String
    /// The queue it was for.
    public var queue: String
    /// The job kind.
    public var kind: String
    /// How many times publishing was tried.
    public var attempts: Int
    /// Why it failed (the last error).
    public var error: String
    /// When it was marked failed.
    public var failedAt: Date
}
