#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The complete result of one statement: rows × columns of text values plus the command tag.
///
/// Typed accessors take a row index and a column (position or name), return `nil` for SQL `NULL`,
/// and throw instead of trapping on a bad index or a value of the wrong type.
public struct PostgresResult: Sendable {
    /// The result's columns (empty for statements that return no rows).
    public let columns: PostgresColumns
    /// All rows, in the order the server sent them.
    public let rows: [PostgresRow]
    /// The command tag, e.g. `INSERT 0 3`, `UPDATE 2`, `SELECT 5`, `CREATE TABLE`.
    public let commandTag: String
    /// Rows affected or returned, from the command tag (0 for commands that do not count rows).
    public let affectedRows: Int

    /// A result from its parts (mainly for tests and adapters).
    public init(columns: PostgresColumns, rows: [PostgresRow], commandTag: String, affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }

    /// Number of rows.
    public var rowCount: Int { rows.count }
    /// Number of columns.
    public var columnCount: Int { columns.count }
    /// Column names in order.
    public var columnNames: [String] { columns.names }

    /// The row at `index`; throws ``PostgresError/noSuchRow(_:rowCount:)`` when out of range.
    public func row(_ index: Int) throws(PostgresError) -> PostgresRow {
        guard index >= 0, index < rows.count else { throw .noSuchRow(index, rowCount: rows.count) }
        return rows[index]
    }

    /// Whether the value at (`row`, `column`) is SQL `NULL`.
    public func isNull(_ row: Int, _ column: some PostgresColumnKey) throws(PostgresError) -> Bool {
        try self.row(row).isNull(column)
    }

    /// The value at (`row`, `column`) as text.
    public func string(_ row: Int, _ column: some PostgresColumnKey) throws(PostgresError) -> String? {
        try self.row(row).string(column)
    }

    /// The value at (`row`, `column`) as `Int64`.
    public func int64(_ row: Int, _ column: some PostgresColumnKey) throws(PostgresError) -> Int64? {
        try self.row(row).int64(column)
    }

    /// The value at (`row`, `column`) as `Int`.
    public func int(_ row: Int, _ column: some PostgresColumnKey) throws(PostgresError) -> Int? {
        try self.row(row).int(column)
    }

    /// The value at (`row`, `column`) as `Double`.
    public func double(_ row: Int, _ column: some PostgresColumnKey) throws(PostgresError) -> Double? {
        try self.row(row).double(column)
    }

    /// The value at (`row`, `column`) as `Bool`.
    public func bool(_ row: Int, _ column: some PostgresColumnKey) throws(PostgresError) -> Bool? {
        try self.row(row).bool(column)
    }

    /// The value at (`row`, `column`) as `Date`.
    public func date(_ row: Int, _ column: some PostgresColumnKey) throws(PostgresError) -> Date? {
        try self.row(row).date(column)
    }

    /// The value at (`row`, `column`) as bytes (`bytea` decoded from hex).
    public func bytes(_ row: Int, _ column: some PostgresColumnKey) throws(PostgresError) -> [UInt8]? {
        try self.row(row).bytes(column)
    }

    /// The value at (`row`, `column`) as JSON text.
    public func json(_ row: Int, _ column: some PostgresColumnKey) throws(PostgresError) -> String? {
        try self.row(row).json(column)
    }
}
