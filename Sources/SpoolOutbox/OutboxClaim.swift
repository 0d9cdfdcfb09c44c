/// Claiming waiting rows for one relay transaction: `FOR UPDATE SKIP LOCKED` in `seq` order, so relays
/// running at once get disjoint rows and a crashed relay's rows come back when its transaction aborts.
struct OutboxClaim {
    let configuration: OutboxConfiguration

    /// One claimed row, with its options already picked apart by Postgres (`options->>'key'`), so a row
    /// whose options hold a wrong type fails alone instead of failing the claim.
    struct Row: Sendable {
        var seq: Int64
        var jobID: String
        var queue: String
        var kind: String
        var payload: String
        var attempts: Int
        var createdMillis: Int64
        /// Seconds from `created_at` to the claim.
        var ageSeconds: Double
        /// Known option key → its value as text (absent when the key is absent or null).
        var optionValues: [String: String]
        /// Unknown option keys, quoted and comma-separated, or nil.
        var unknownKeys: String?
    }

    /// Claims up to `limit` waiting rows on `tx` (which must be inside a transaction).
    func claim(on tx: PostgresConnection, limit: Int) throws(PostgresError) -> [Row] {
        let keys = OutboxOptionsCodec.knownKeys
        let optionColumns = keys.enumerated().map { index, key in "options->>'\(key)' AS o\(index)" }
        let sql = """
            SELECT seq, job_id, queue, kind, payload::text AS payload, publish_attempts,
                   (extract(epoch FROM created_at) * 1000)::bigint AS created_ms,
                   extract(epoch FROM now() - created_at)::float8 AS age,
                   \(optionColumns.joined(separator: ", ")),
                   (SELECT string_agg(quote_literal(k), ', ') FROM jsonb_object_keys(options) AS k
                    WHERE k <> ALL ($2::text[])) AS unknown_keys
            FROM \(configuration.quotedTable)
            WHERE published_at IS NULL AND failed_at IS NULL
            ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
            """
        let result = try tx.query(sql, [.int(limit), .string(PostgresArrayLiteral.text(keys))])
        var rows: [Row] = []
        rows.reserveCapacity(result.rowCount)
        for row in result.rows {
            var values: [String: String] = [:]
            for (index, key) in keys.enumerated() {
                if let value = try row.string("o\(index)") { values[key] = value }
            }
            rows.append(
                Row(
                    seq: try row.int64("seq") ?? 0, jobID: try row.string("job_id") ?? "",
                    queue: try row.string("queue") ?? "", kind: try row.string("kind") ?? "",
                    payload: try row.string("payload") ?? "", attempts: try row.int("publish_attempts") ?? 0,
                    createdMillis: try row.int64("created_ms") ?? 0, ageSeconds: try row.double("age") ?? 0,
                    optionValues: values, unknownKeys: try row.string("unknown_keys")))
        }
        return rows
    }

    /// Marks rows published (`published_at = now()`), counting the attempt and keeping a note
    /// (e.g. a held unique key) as `last_error`.
    func markPublished(on tx: PostgresConnection, _ rows: [(seq: Int64, note: String?)]) throws(PostgresError) {
        guard !rows.isEmpty else { return }
        try tx.execute(
            """
            UPDATE \(configuration.quotedTable) AS t
            SET published_at = now(), publish_attempts = t.publish_attempts + 1, last_error = p.note
            FROM unnest($1::bigint[], $2::text[]) AS p(seq, note)
            WHERE t.seq = p.seq
            """,
            [
                .string(PostgresArrayLiteral.integers(rows.map(\.seq))),
                .string(PostgresArrayLiteral.optionalText(rows.map(\.note))),
            ])
    }

    /// Records failed attempts: `last_error`, one more attempt, and `failed_at` when the error is permanent
    /// or the attempts are used up. Returns the seqs now marked failed.
    func markFailures(
        on tx: PostgresConnection, _ rows: [(seq: Int64, error: String, permanent: Bool)], maxAttempts: Int
    ) throws(PostgresError) -> Set<Int64> {
        guard !rows.isEmpty else { return [] }
        let result = try tx.query(
            """
            UPDATE \(configuration.quotedTable) AS t
            SET publish_attempts = t.publish_attempts + 1, last_error = f.error,
                failed_at = CASE WHEN f.permanent OR t.publish_attempts + 1 >= $4 THEN now() END
            FROM unnest($1::bigint[], $2::text[], $3::boolean[]) AS f(seq, error, permanent)
            WHERE t.seq = f.seq
            RETURNING t.seq, t.failed_at IS NOT NULL AS failed
            """,
            [
                .string(PostgresArrayLiteral.integers(rows.map(\.seq))),
                .string(PostgresArrayLiteral.text(rows.map { String($0.error.prefix(2000)) })),
                .string(PostgresArrayLiteral.booleans(rows.map(\.permanent))), .int(maxAttempts),
            ])
        var failed = Set<Int64>()
        for row in result.rows where try row.bool("failed") == true {
            if let seq = try row.int64("seq") { failed.insert(seq) }
        }
        return failed
    }
}
