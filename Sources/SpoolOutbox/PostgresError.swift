/// Everything that can go wrong talking to Postgres.
///
/// Every case prints as one line that names the server (redacted: host, port and database, never a
/// password) and, where there is one, the fix.
public enum PostgresError: Error, CustomStringConvertible, Sendable {
    /// The connection string could not be understood; nothing was sent anywhere.
    /// The string is given redacted (no password).
    case invalidConnectionString(String, reason: String)
    /// The server could not be reached or refused the session.
    case connectionFailed(server: String, reason: String, hint: String)
    /// An established connection broke (server closed it, network dropped). The next call reconnects.
    case connectionLost(server: String, reason: String)
    /// The connection was closed with ``PostgresConnection/close()``.
    case closed(server: String)
    /// The server rejected a statement; carries SQLSTATE, message, detail and hint.
    case server(PostgresServerError)
    /// A statement ran longer than the connection's `statement_timeout` and the server cancelled it.
    case statementTimeout(server: String, milliseconds: Int?)
    /// `COMMIT` found the transaction already failed, so the server rolled it back.
    case transactionRolledBack(server: String)
    /// An argument can not be sent to Postgres (for example a NUL byte in text).
    case invalidArgument(String)
    /// A result value could not be read as the asked-for Swift type.
    case decoding(column: String, value: String, expected: String)
    /// A column name or index that the result does not have.
    case noSuchColumn(String, available: [String])
    /// A row index outside the result.
    case noSuchRow(Int, rowCount: Int)
    /// The connection was used in a way that cannot work (for example a query from inside a row stream
    /// on the same connection, or a transaction's connection used after the transaction ended).
    case misuse(String)
    /// The server asked for something this connection does not speak (for example `COPY`).
    case unsupported(server: String, what: String)

    /// The SQLSTATE code when the server reported one (`"23505"`), else `nil`.
    public var sqlState: String? {
        switch self {
        case .server(let error): return error.sqlState
        case .statementTimeout: return "57014"
        default: return nil
        }
    }

    /// One line naming the server, what happened and the fix.
    public var description: String {
        switch self {
        case .invalidConnectionString(let string, let reason):
            return "invalid Postgres connection string \"\(string)\": \(reason)"
                + " — use postgres://user@host:port/db or \"host=… port=… dbname=…\""
        case .connectionFailed(let server, let reason, let hint):
            return "cannot connect to Postgres at \(server): \(reason) — \(hint)"
        case .connectionLost(let server, let reason):
            return "lost the connection to Postgres at \(server): \(reason) — the next call reconnects"
        case .closed(let server):
            return "the connection to Postgres at \(server) was closed — open a new PostgresConnection"
        case .server(let error):
            return error.description
        case .statementTimeout(let server, let milliseconds):
            let after = milliseconds.map { " after \($0) ms" } ?? ""
            return "statement timed out\(after) (statement_timeout) on Postgres at \(server)"
                + " — make the statement faster or raise the timeout"
        case .transactionRolledBack(let server):
            return "Postgres at \(server) rolled the transaction back at COMMIT because a statement inside it"
                + " failed — handle or rethrow the error raised inside the transaction body"
        case .invalidArgument(let reason):
            return "cannot send to Postgres: \(reason)"
        case .decoding(let column, let value, let expected):
            return "column \"\(column)\" holds \"\(Self.clip(value))\", which is not \(expected)"
                + " — cast it in SQL or read it with another accessor"
        case .noSuchColumn(let column, let available):
            return "the result has no column \(column); it has \(available.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .noSuchRow(let row, let rowCount):
            return "the result has no row \(row); it has \(rowCount) row\(rowCount == 1 ? "" : "s")"
        case .misuse(let reason):
            return reason
        case .unsupported(let server, let what):
            return "Postgres at \(server) started \(what), which this connection does not support"
        }
    }

    /// Shortens long values so a message stays one readable line.
    static func clip(_ value: String, to limit: Int = 60) -> String {
        value.count > limit ? String(value.prefix(limit)) + "…" : value
    }
}

/// An error reported by the server for a statement, with the fields libpq exposes.
public struct PostgresServerError: Sendable, CustomStringConvertible {
    /// Redacted server address (`host:port/db`).
    public let server: String
    /// Five-character SQLSTATE, for example `23505`.
    public let sqlState: String
    /// Severity as sent (`ERROR`, `FATAL`, …).
    public let severity: String
    /// Primary message.
    public let message: String
    /// Optional detail (for example which key collided).
    public let detail: String?
    /// Optional hint from the server.
    public let hint: String?
    /// The schema involved, when the server reported it.
    public let schema: String?
    /// The table involved, when the server reported it.
    public let table: String?
    /// The column involved, when the server reported it.
    public let column: String?
    /// The constraint that failed (`u_pkey`), when the server reported it.
    public let constraint: String?

    /// The SQLSTATE's condition name (`unique_violation`), or `nil` when not in the built-in table.
    public var conditionName: String? { SQLState.conditionName(for: sqlState) }

    /// `Postgres error 23505 (unique_violation): duplicate key … — Key (id)=(1) already exists. [server]`
    public var description: String {
        var line = "Postgres error \(sqlState)"
        if let name = conditionName { line += " (\(name))" }
        line += ": \(message)"
        if let detail, !detail.isEmpty { line += " — \(detail)" }
        if let hint, !hint.isEmpty { line += " (hint: \(hint))" }
        line += " [\(server)]"
        return line.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ")
    }
}
