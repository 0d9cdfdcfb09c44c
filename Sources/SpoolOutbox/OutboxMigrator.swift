#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Creates and upgrades the outbox schema, and reports its state (what `spool outbox migrate` and
/// `spool outbox status` run).
///
/// The applied versions are kept in `<table>_migrations` next to the table. ``migrate()`` is idempotent,
/// safe to run from several processes at once (an advisory lock serialises them), applies all pending
/// versions in one transaction, and refuses to touch a schema newer than this code.
public struct OutboxMigrator: Sendable {
    /// The connection the statements run on (not inside a transaction of the caller's).
    public let connection: PostgresConnection
    /// Which outbox.
    public let configuration: OutboxConfiguration

    /// A migrator for the outbox `configuration` describes (default `public.spool_outbox`).
    public init(connection: PostgresConnection, configuration: OutboxConfiguration = .standard) {
        self.connection = connection
        self.configuration = configuration
    }

    /// The schema version this code creates and expects.
    public static var latestVersion: Int { OutboxMigration.latestVersion }

    /// Brings the schema to ``latestVersion``: creates the schema if missing, then applies the pending
    /// migrations in one transaction. Running it again changes nothing.
    ///
    /// - Returns: the version before and after.
    /// - Throws: ``OutboxError/schemaTooNew(table:found:supported:)`` when the database is ahead of this
    ///   code (nothing is changed), or ``OutboxError/postgres(_:)``.
    @discardableResult
    public func migrate() throws(OutboxError) -> OutboxMigrationResult {
        let configuration = configuration
        do {
            return try connection.transaction { tx in
                // One migration at a time across all processes; released at COMMIT/ROLLBACK.
                try tx.execute("SELECT pg_advisory_xact_lock(hashtext('spool_outbox.migrate'))")
                let schemaExists = try tx.query(
                    "SELECT 1 FROM pg_namespace WHERE nspname = $1", [.string(configuration.schema)]
                ).rowCount > 0
                if !schemaExists { try tx.execute("CREATE SCHEMA \(configuration.quotedSchema)") }
                let found = try Self.version(on: tx, configuration)
                guard found <= Self.latestVersion else {
                    throw OutboxError.schemaTooNew(
                        table: configuration.qualifiedName, found: found, supported: Self.latestVersion)
                }
                if try !Self.migrationsTableExists(on: tx, configuration) {
                    try tx.execute(
                        """
                        CREATE TABLE \(configuration.quotedMigrationsTable) (
                            version integer PRIMARY KEY,
                            description text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now()
                        )
                        """)
                }
                var applied: [Int] = []
                for migration in OutboxMigration.all where migration.version > found {
                    for statement in migration.statements(configuration) { try tx.execute(statement) }
                    try tx.execute(
                        "INSERT INTO \(configuration.quotedMigrationsTable) (version, description) VALUES ($1, $2)",
                        [.int(migration.version), .string(migration.description)])
                    applied.append(migration.version)
                }
                return OutboxMigrationResult(from: found, to: applied.last ?? found, applied: applied)
            }
        } catch let error as OutboxError {
            throw error
        } catch let error as PostgresError {
            throw .postgres(error)
        } catch {
            throw .postgres(.misuse("unexpected error while migrating \(configuration.qualifiedName): \(error)"))
        }
    }

    /// The schema version in the database: 0 when not migrated.
    public func version() throws(OutboxError) -> Int {
        do {
            return try Self.version(on: connection, configuration)
        } catch {
            throw .postgres(error)
        }
    }

    /// Throws ``OutboxError/notMigrated(table:found:required:)`` or ``OutboxError/schemaTooNew(table:found:supported:)``
    /// unless the schema is exactly at ``latestVersion``.
    public func requireCurrent() throws(OutboxError) {
        let found = try version()
        if found > Self.latestVersion {
            throw .schemaTooNew(table: configuration.qualifiedName, found: found, supported: Self.latestVersion)
        }
        if found < Self.latestVersion {
            throw .notMigrated(table: configuration.qualifiedName, found: found, required: Self.latestVersion)
        }
    }

    /// The schema version and the counts of waiting, published and failed rows, with the most recent
    /// failures (at most `failureLimit`). A schema that is not migrated reports version 0 and no rows.
    public func status(failureLimit: Int = 20) throws(OutboxError) -> OutboxStatus {
        let table = configuration.quotedTable
        do {
            let found = try Self.version(on: connection, configuration)
            var status = OutboxStatus(
                table: configuration.qualifiedName, version: found, latestVersion: Self.latestVersion,
                unpublished: 0, retrying: 0, oldestUnpublishedAge: nil, published: 0, failed: 0, recentFailures: [])
            guard found > 0 else { return status }
            let counts = try connection.query(
                """
                SELECT count(*) FILTER (WHERE published_at IS NULL AND failed_at IS NULL) AS unpublished,
                       count(*) FILTER (WHERE published_at IS NULL AND failed_at IS NULL AND publish_attempts > 0) AS retrying,
                       count(*) FILTER (WHERE published_at IS NOT NULL) AS published,
                       count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed,
                       extract(epoch FROM now() - min(created_at) FILTER (WHERE published_at IS NULL AND failed_at IS NULL))::float8 AS oldest
                FROM \(table)
                """
            ).row(0)
            status.unpublished = try counts.int("unpublished") ?? 0
            status.retrying = try counts.int("retrying") ?? 0
            status.published = try counts.int("published") ?? 0
            status.failed = try counts.int("failed") ?? 0
            status.oldestUnpublishedAge = try counts.double("oldest").map { Duration.seconds(max(0, $0)) }
            if status.failed > 0, failureLimit > 0 {
                let rows = try connection.query(
                    """
                    SELECT seq, job_id, queue, kind, publish_attempts, coalesce(last_error, '') AS last_error,
                           (extract(epoch FROM failed_at) * 1000)::bigint AS failed_ms
                    FROM \(table) WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, seq DESC LIMIT $1
                    """, [.int(failureLimit)])
                for row in rows.rows {
                    status.recentFailures.append(
                        OutboxFailure(
                            seq: try row.int64("seq") ?? 0, jobID: try row.string("job_id") ?? "",
                            queue: try row.string("queue") ?? "", kind: try row.string("kind") ?? "",
                            attempts: try row.int("publish_attempts") ?? 0, error: try row.string("last_error") ?? "",
                            failedAt: Date(timeIntervalSince1970: Double(try row.int64("failed_ms") ?? 0) / 1000)))
                }
            }
            return status
        } catch {
            throw .postgres(error)
        }
    }

    private static func migrationsTableExists(
        on connection: PostgresConnection, _ configuration: OutboxConfiguration
    ) throws(PostgresError) -> Bool {
        try connection.query(
            "SELECT to_regclass($1) IS NOT NULL", [.string(configuration.quotedMigrationsTable)]
        ).bool(0, 0) ?? false
    }

    private static func version(on connection: PostgresConnection, _ configuration: OutboxConfiguration)
        throws(PostgresError) -> Int
    {
        guard try migrationsTableExists(on: connection, configuration) else { return 0 }
        return try connection.query(
            "SELECT coalesce(max(version), 0) FROM \(configuration.quotedMigrationsTable)"
        ).int(0, 0) ?? 0
    }
}

/// What ``OutboxMigrator/migrate()`` did.
public struct OutboxMigrationResult: Sendable, Hashable {
    /// The version before.
    public var from: Int
    /// The version after.
    public var to: Int
    /// The versions applied now, in order (empty when the schema was current).
    public var applied: [Int]
}
