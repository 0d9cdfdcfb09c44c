import Spool

/// Transactional enqueue: puts jobs into the `spool_outbox` table inside the producer's own Postgres
/// transaction. A rollback leaves no job; a commit guarantees exactly one job in Redis, published by an
/// ``OutboxRelay``.
///
/// ```swift
/// let outbox = Outbox()
/// let ids = try db.transaction { tx in
///     try tx.execute("UPDATE accounts SET plan = 'pro' WHERE id = $1", [42])
///     return try outbox.enqueue(NewJob(kind: "email.upgraded", json: #"{"account":42}"#), queue: "email", in: tx)
/// }
/// ```
///
/// - Each job's id is fixed here, before the insert: the one its options carry, else a new UUIDv7. The
///   relay enqueues by that id, so a re-sent row is a no-op in Redis.
/// - Jobs are checked before anything is written, with the same errors `Queue.enqueue` gives
///   (``OutboxError/invalidJob(_:)`` wrapping the ``SpoolError``): bad options, kind, queue name, or a payload
///   over ``OutboxConfiguration/maxPayloadBytes``.
/// - The payload must be valid JSON: the column is `json`, so Postgres rejects anything else (which fails
///   the caller's transaction). `NewJob(kind:json:)` and `NewJob(kind:payload:)` check this up front.
/// - A delay counts from the row's `created_at` (the producing transaction's start), not from publication.
/// - Producers in other languages insert rows themselves (see ``OutboxStatement``):
///   `INSERT INTO spool_outbox (job_id, queue, kind, payload, options) VALUES (…)`, where `options` is a
///   JSON object with any of these keys (absent or `null`: the default; any other key fails the row):
///
///   | key | JSON | meaning |
///   |---|---|---|
///   | `priority` | integer −32768…32767 | higher runs first (default 0) |
///   | `delay_ms` | integer ≥ 0 | run no earlier than this long after `created_at` |
///   | `run_at_ms` | integer (Unix ms) | run no earlier than this time (wins over `delay_ms`) |
///   | `max_attempts` | integer ≥ 1 | attempts before the job goes dead |
///   | `backoff` | string | `exp:<base ms>:<factor>:<cap ms>` or `fixed:<ms>` |
///   | `timeout_ms` | integer > 0 | how long one attempt may run |
///   | `unique_key` | string, 1–500 bytes | at most one job with this key while it is held |
///   | `unique_for_ms` | integer > 0 | how long the unique key is held at most (default 1 h) |
public struct Outbox: Sendable {
    /// The table and limits this producer writes to.
    public let configuration: OutboxConfiguration

    /// A producer for the outbox described by `configuration` (default `public.spool_outbox`).
    public init(configuration: OutboxConfiguration = .standard) {
        self.configuration = configuration
    }

    /// Inserts one job with the transaction's connection and returns its id.
    ///
    /// Runs one INSERT on `connection` and nothing else: it never begins, commits or rolls back. Pass the
    /// connection a ``PostgresConnection/transaction(isolation:readOnly:_:)`` body was given; outside a
    /// transaction the row commits on its own.
    @discardableResult
    public func enqueue(_ job: NewJob, queue: String, in connection: PostgresConnection) throws(OutboxError) -> String {
        let ids = try enqueue([job], queue: queue, in: connection)
        return ids.first ?? ""
    }

    /// Inserts several jobs for one queue in one statement and returns their ids in order.
    ///
    /// Every job is checked first, so one bad job inserts none. An id already in the outbox for this queue
    /// is skipped (same id, same job) and still returned.
    @discardableResult
    public func enqueue(_ jobs: [NewJob], queue: String, in connection: PostgresConnection) throws(OutboxError) -> [String] {
        if jobs.isEmpty { return [] }
        let statement = try statement(for: jobs, queue: queue)
        do {
            try connection.execute(statement.sql, statement.parameters.map { $0.map { PostgresValue.string($0) } })
        } catch {
            throw .postgres(error)
        }
        return statement.jobIDs
    }

    /// The INSERT for `jobs` as SQL text and parameters, for running with another driver; checks the jobs
    /// and assigns their ids exactly as ``enqueue(_:queue:in:)`` does.
    public func statement(for jobs: [NewJob], queue: String) throws(OutboxError) -> OutboxStatement {
        var ids: [String] = []
        var kinds: [String] = []
        var payloads: [String] = []
        var options: [String] = []
        ids.reserveCapacity(jobs.count)
        kinds.reserveCapacity(jobs.count)
        payloads.reserveCapacity(jobs.count)
        options.reserveCapacity(jobs.count)
        do {
            for job in jobs {
                try OutboxJobRules.validate(job, queue: queue, maxPayloadBytes: configuration.maxPayloadBytes)
                payloads.append(try OutboxJobRules.payloadText(job))
                ids.append(job.options.id ?? JobID.make())
                kinds.append(job.kind)
                options.append(OutboxOptionsCodec.encode(job.options))
            }
        } catch {
            throw .invalidJob(error)
        }
        return OutboxStatement(
            sql: OutboxStatement.insertSQL(configuration),
            parameters: [
                queue, PostgresArrayLiteral.text(ids), PostgresArrayLiteral.text(kinds),
                PostgresArrayLiteral.text(payloads), PostgresArrayLiteral.text(options),
            ],
            jobIDs: ids)
    }

    /// The INSERT for one job.
    public func statement(for job: NewJob, queue: String) throws(OutboxError) -> OutboxStatement {
        try statement(for: [job], queue: queue)
    }
}
