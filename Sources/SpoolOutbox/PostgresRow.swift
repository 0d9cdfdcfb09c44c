#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One row of a result, copied out of libpq (safe to keep and to send across threads).
///
/// Accessors return `nil` for SQL `NULL` and throw ``PostgresError/decoding(column:value:expected:)``
/// when the text is not of the asked-for type, or ``PostgresError/noSuchColumn(_:available:)``.
public struct PostgresRow: Sendable {
    /// The row's columns (names and type OIDs).
    public let columns: PostgresColumns
    /// Raw text values in column order; `nil` is SQL `NULL`.
    public let values: [String?]

    /// A row from its columns and text values (mainly for tests and adapters).
    public init(columns: PostgresColumns, values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// Whether the value is SQL `NULL`.
    public func isNull(_ column: some PostgresColumnKey) throws(PostgresError) -> Bool {
        try raw(column).1 == nil
    }

    /// The value as text, exactly as the server printed it.
    public func string(_ column: some PostgresColumnKey) throws(PostgresError) -> String? {
        try raw(column).1
    }

    /// The value as a 64-bit integer (`int2`, `int4`, `int8`, or integral text).
    public func int64(_ column: some PostgresColumnKey) throws(PostgresError) -> Int64? {
        try decode(column, as: "an integer") { Int64($0) }
    }

    /// The value as `Int`.
    public func int(_ column: some PostgresColumnKey) throws(PostgresError) -> Int? {
        try decode(column, as: "an integer") { Int($0) }
    }

    /// The value as `Double` (`float4`, `float8`, `numeric`, integers; `Infinity`, `NaN`).
    public func double(_ column: some PostgresColumnKey) throws(PostgresError) -> Double? {
        try decode(column, as: "a number") { PostgresText.parseDouble($0) }
    }

    /// The value as `Bool` (`t` / `f`, or any spelling Postgres accepts).
    public func bool(_ column: some PostgresColumnKey) throws(PostgresError) -> Bool? {
        try decode(column, as: "a boolean") { PostgresText.parseBool($0) }
    }

    /// The value as `Date`, from ISO `timestamptz`, `timestamp` (taken as UTC) or `date` text.
    public func date(_ column: some PostgresColumnKey) throws(PostgresError) -> Date? {
        try decode(column, as: "a timestamp (ISO DateStyle)") { PostgresText.parseDate($0) }
    }

    /// The value as bytes: a `bytea` column is decoded from its hex (or escape) text; any other column
    /// gives the UTF-8 bytes of its text.
    public func bytes(_ column: some PostgresColumnKey) throws(PostgresError) -> [UInt8]? {
        let index = try column.columnIndex(in: columns)
        guard let text = values[index] else { return nil }
        guard columns.typeOIDs[index] == PostgresColumns.byteaOID else { return Array(text.utf8) }
        guard let bytes = PostgresText.decodeBytea(text) else {
            throw .decoding(column: columns.names[index], value: text, expected: "bytea text")
        }
        return bytes
    }

    /// The value as JSON text (`json` / `jsonb` columns print as text).
    public func json(_ column: some PostgresColumnKey) throws(PostgresError) -> String? {
        try raw(column).1
    }

    private func raw(_ column: some PostgresColumnKey) throws(PostgresError) -> (Int, String?) {
        let index = try column.columnIndex(in: columns)
        return (index, values[index])
    }

    private func decode<T>(
        _ column: some PostgresColumnKey, as expected: String, _ parse: (String) -> T?
    ) throws(PostgresError) -> T? {
        let (index, text) = try raw(column)
        guard let text else { return nil }
        guard let value = parse(text) else {
            throw .decoding(column: columns.names[index], value: text, expected: expected)
        }
        return value
    }
}
