import Spool

/// Everything that can go wrong with the outbox. Each case prints as one line naming the thing and the fix.
public enum OutboxError: Error, CustomStringConvertible, Sendable {
    /// The job was rejected before anything was written: the same ``SpoolError`` (`invalidJob`,
    /// `payloadTooLarge`, `payloadEncoding`) that `Queue.enqueue` throws for it.
    case invalidJob(SpoolError)
    /// Postgres failed (the statement, the connection or the transaction).
    case postgres(PostgresError)
    /// Redis failed while publishing (only from ``OutboxRelay/publishPending()``; the running relay retries).
    case redis(SpoolError)
    /// A name or limit in ``OutboxConfiguration`` or ``OutboxRelayConfiguration`` is not acceptable.
    case invalidConfiguration(String)
    /// The outbox schema in the database is newer than this code knows; nothing was changed.
    case schemaTooNew(table: String, found: Int, supported: Int)
    /// The outbox table does not exist (or is not at the latest version) yet.
    case notMigrated(table: String, found: Int, required: Int)

    /// The ``SpoolError`` behind ``invalidJob(_:)`` or ``redis(_:)``, for callers that handle both paths alike.
    public var spoolError: SpoolError? {
        switch self {
        case .invalidJob(let error), .redis(let error): return error
        default: return nil
        }
    }

    /// One line naming what failed and the fix.
    public var description: String {
        switch self {
        case .invalidJob(let error):
            return error.description
        case .postgres(let error):
            return error.description
        case .redis(let error):
            return "outbox relay cannot publish to Redis: \(error.description)"
        case .invalidConfiguration(let why):
            return "invalid outbox configuration: \(why)"
        case .schemaTooNew(let table, let found, let supported):
            return "the outbox \(table) is at schema version \(found), newer than the \(supported) this Spool knows"
                + " — upgrade Spool (nothing was changed)"
        case .notMigrated(let table, let found, let required):
            let state = found == 0 ? "does not exist yet" : "is at schema version \(found), not \(required)"
            return "the outbox \(table) \(state) — run `spool outbox migrate` (OutboxMigrator.migrate())"
        }
    }
}
