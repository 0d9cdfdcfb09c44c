/// The outbox INSERT as plain SQL text and text parameters, for a producer that talks to Postgres with its
/// own driver (postgres-nio, another language's client, `psql`) instead of ``PostgresConnection``.
///
/// Run it inside your transaction, like any other statement of it: the jobs exist if and only if the
/// transaction commits. ``Outbox/enqueue(_:queue:in:)`` runs exactly this statement, so both paths write
/// identical rows. The SQL text is the same for any number of jobs (the rows travel as arrays), so a driver
/// can prepare it once.
///
/// With postgres-nio (`PostgresClient`), the INSERT runs in the same transaction as the business write:
///
/// ```swift
/// let outbox = Outbox()   // or Outbox(configuration: try OutboxConfiguration(schema: "app"))
/// let job = try NewJob(kind: "email.welcome", json: #"{"user":42}"#)
/// let statement = try outbox.statement(for: [job], queue: "email")
/// var bindings = PostgresBindings()
/// for parameter in statement.parameters {
///     if let parameter { bindings.append(parameter) } else { bindings.appendNull() }
/// }
/// try await postgres.withConnection { connection in
///     try await connection.query("BEGIN", logger: logger)
///     do {
///         try await connection.query("INSERT INTO users (id) VALUES (\(42))", logger: logger)
///         try await connection.query(PostgresQuery(unsafeSQL: statement.sql, binds: bindings), logger: logger)
///         try await connection.query("COMMIT", logger: logger)
///     } catch {
///         try? await connection.query("ROLLBACK", logger: logger)
///         throw error
///     }
/// }
/// // statement.jobIDs are the ids the jobs have in Redis once the relay has published them.
/// ```
///
/// With `psql`: `PREPARE spool_enqueue AS <sql>;` then `EXECUTE spool_enqueue(:'p1', :'p2', :'p3', :'p4', :'p5');`
/// with the parameters passed as `-v p1=…`.
///
/// Parameters are `$1` the queue, then `$2`…`$5` the job ids, kinds, payloads and options, each as a
/// Postgres `text[]` array literal. A job id that is already in the outbox for that queue is skipped
/// (`ON CONFLICT DO NOTHING`): the same id is the same job.
public struct OutboxStatement: Sendable, Hashable {
    /// The SQL text, with placeholders `$1`…`$5`; every placeholder carries its cast, so text parameters work.
    public let sql: String
    /// The parameters for `$1`… in order, as text (none is `nil` today; bind a `nil` as SQL `NULL`).
    public let parameters: [String?]
    /// The ids of the jobs, in the order given: the ids they get in Redis.
    public let jobIDs: [String]

    /// A statement from its parts (for tests and adapters; use ``Outbox/statement(for:queue:)`` to build one).
    public init(sql: String, parameters: [String?], jobIDs: [String]) {
        self.sql = sql
        self.parameters = parameters
        self.jobIDs = jobIDs
    }

    /// The INSERT for `configuration`'s table.
    static func insertSQL(_ configuration: OutboxConfiguration) -> String {
        """
        INSERT INTO \(configuration.quotedTable) (job_id, queue, kind, payload, options) \
        SELECT j.job_id, $1::text, j.kind, j.payload::json, j.options::jsonb \
        FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS j(job_id, kind, payload, options, n) \
        ORDER BY j.n \
        ON CONFLICT (queue, job_id) DO NOTHING
        """
    }
}
