/// Where an outbox lives and how big its jobs may be: the schema, the table, the `NOTIFY` channel and the
/// payload limit. Shared by the producer (``Outbox``), the migrator (``OutboxMigrator``), the relay
/// (``OutboxRelay``) and the pruner (``OutboxPruner``), which must all agree on it.
///
/// Names are checked once, here (letters, digits and `_`, not starting with a digit), and always written
/// double-quoted in SQL, so they are used exactly as given (case included).
public struct OutboxConfiguration: Sendable, Hashable {
    /// The schema that holds the table (default `public`; created by ``OutboxMigrator/migrate()`` if missing).
    public let schema: String
    /// The outbox table (default `spool_outbox`). Its indexes, trigger, notify function and the migrations
    /// table (`<table>_migrations`) are named after it.
    public let table: String
    /// The channel the insert trigger notifies and the relay listens on: `table` when the schema is
    /// `public`, else `schema.table`, unless given. Fixed when the schema is migrated.
    public let channel: String
    /// The largest payload ``Outbox/enqueue(_:queue:in:)`` accepts, in bytes (default 1 MiB, as
    /// ``SpoolClient``). The relay applies its ``SpoolClient``'s own limit when it publishes.
    public let maxPayloadBytes: Int

    /// The longest table name: Postgres names are at most 63 bytes and index names add a suffix.
    public static let maxTableNameBytes = 40

    /// Checks and stores the names.
    ///
    /// - Throws: ``OutboxError/invalidConfiguration(_:)`` for a name that is not a plain identifier, a
    ///   channel longer than 63 bytes, or a payload limit below 1.
    public init(
        schema: String = "public", table: String = "spool_outbox", channel: String? = nil,
        maxPayloadBytes: Int = 1 << 20
    ) throws(OutboxError) {
        try Self.check(schema, role: "schema", maxBytes: 63)
        try Self.check(table, role: "table", maxBytes: Self.maxTableNameBytes)
        let chosen = channel ?? (schema == "public" ? table : "\(schema).\(table)")
        guard !chosen.isEmpty, chosen.utf8.count <= 63, !chosen.unicodeScalars.contains(where: { $0.value < 0x20 })
        else {
            throw .invalidConfiguration(
                "the outbox channel \"\(chosen)\" must be 1–63 bytes without control characters"
                    + (channel == nil ? " — pass a shorter channel: explicitly" : ""))
        }
        guard maxPayloadBytes >= 1 else {
            throw .invalidConfiguration("maxPayloadBytes must be at least 1, not \(maxPayloadBytes)")
        }
        self.schema = schema
        self.table = table
        self.channel = chosen
        self.maxPayloadBytes = maxPayloadBytes
    }

    /// `public.spool_outbox`, channel `spool_outbox`, 1 MiB payloads.
    public static let standard = OutboxConfiguration(checkedSchema: "public", table: "spool_outbox", channel: "spool_outbox")

    private init(checkedSchema schema: String, table: String, channel: String) {
        self.schema = schema
        self.table = table
        self.channel = channel
        maxPayloadBytes = 1 << 20
    }

    /// `schema.table` as written in messages.
    public var qualifiedName: String { "\(schema).\(table)" }

    // MARK: SQL names (always quoted)

    /// `"schema"`.
    var quotedSchema: String { Self.quote(schema) }
    /// `"schema"."table"`.
    var quotedTable: String { quotedSchema + "." + Self.quote(table) }
    /// `"schema"."table_migrations"`.
    var quotedMigrationsTable: String { quotedSchema + "." + Self.quote(table + "_migrations") }
    /// `"schema"."<table>_<suffix>"`, for the objects the migrations create.
    func quotedObject(_ suffix: String) -> String { quotedSchema + "." + Self.quote(table + "_" + suffix) }
    /// `"<table>_<suffix>"` without the schema (index, constraint and trigger names).
    func quotedLocalName(_ suffix: String) -> String { Self.quote(table + "_" + suffix) }

    /// The channel as a SQL string literal (it may hold any character but control characters).
    var channelLiteral: String { "'" + channel.replacingAll("'", with: "''") + "'" }

    /// A double-quoted identifier (the checked names hold no quotes; doubling them keeps this safe anyway).
    static func quote(_ name: String) -> String { "\"" + name.replacingAll("\"", with: "\"\"") + "\"" }

    private static func check(_ name: String, role: String, maxBytes: Int) throws(OutboxError) {
        guard !name.isEmpty, name.utf8.count <= maxBytes else {
            throw .invalidConfiguration("the outbox \(role) name \"\(name)\" must be 1–\(maxBytes) bytes")
        }
        var first = true
        for byte in name.utf8 {
            let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
            let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            guard isLetter || (isDigit && !first) else {
                throw .invalidConfiguration(
                    "the outbox \(role) name \"\(name)\" may hold only ASCII letters, digits and _, and may not start with a digit")
            }
            first = false
        }
    }
}

extension String {
    /// The string with every `target` replaced by `replacement` (no Foundation needed).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
