/// One step of the outbox schema: a version, what it does, and its statements for a configuration.
///
/// Versions only ever grow; a shipped migration is never edited (add a new one instead).
/// ``OutboxMigrator`` runs the pending ones in order, in one transaction.
struct OutboxMigration: Sendable {
    /// The version the schema is at after this step.
    let version: Int
    /// A one-line description, stored in the migrations table.
    let description: String
    /// The statements, one per call (libpq runs one statement per parameterised call).
    let statements: @Sendable (OutboxConfiguration) -> [String]

    /// Every migration, in version order.
    static let all: [OutboxMigration] = [initial]

    /// The version the code expects.
    static var latestVersion: Int { all.last?.version ?? 0 }

    /// v1: the table, its indexes and the insert trigger that notifies the relay.
    static let initial = OutboxMigration(version: 1, description: "outbox table, indexes and notify trigger") { c in
        [
            """
            CREATE TABLE \(c.quotedTable) (
                seq bigserial PRIMARY KEY,
                job_id text NOT NULL,
                queue text NOT NULL,
                kind text NOT NULL,
                payload json NOT NULL,
                options jsonb NOT NULL DEFAULT '{}'::jsonb
                    CONSTRAINT \(c.quotedLocalName("options_object")) CHECK (jsonb_typeof(options) = 'object'),
                created_at timestamptz NOT NULL DEFAULT now(),
                published_at timestamptz,
                failed_at timestamptz,
                publish_attempts integer NOT NULL DEFAULT 0,
                last_error text,
                CONSTRAINT \(c.quotedLocalName("job")) UNIQUE (queue, job_id)
            )
            """,
            // What the relay claims, in order: only rows still waiting.
            """
            CREATE INDEX \(c.quotedLocalName("unpublished_idx")) ON \(c.quotedTable) (seq)
                WHERE published_at IS NULL AND failed_at IS NULL
            """,
            // What pruning deletes: published rows by age.
            """
            CREATE INDEX \(c.quotedLocalName("published_idx")) ON \(c.quotedTable) (published_at)
                WHERE published_at IS NOT NULL
            """,
            // What status reports: failed rows, newest first.
            """
            CREATE INDEX \(c.quotedLocalName("failed_idx")) ON \(c.quotedTable) (failed_at)
                WHERE failed_at IS NOT NULL
            """,
            """
            CREATE FUNCTION \(c.quotedObject("notify"))() RETURNS trigger LANGUAGE plpgsql AS $spool$
            BEGIN
                PERFORM pg_notify(\(c.channelLiteral), '');
                RETURN NULL;
            END
            $spool$
            """,
            // Statement-level: one notification per INSERT statement (and Postgres folds identical
            // notifications of one transaction into one), delivered at COMMIT, never on rollback.
            """
            CREATE TRIGGER \(c.quotedLocalName("notify")) AFTER INSERT ON \(c.quotedTable)
                FOR EACH STATEMENT EXECUTE FUNCTION \(c.quotedObject("notify"))()
            """,
        ]
    }
}
