/// Turns libpq's multi-line connection messages into one-line reasons with a fix.
enum PostgresConnectFailure {
    /// The error for a failed connect, from `PQerrorMessage`.
    static func classify(message: String, server: String, connectionString: PostgresConnectionString)
        -> PostgresError
    {
        let reason = cleanReason(message)
        let lower = message.lowercased()
        let hint: String
        let shortReason: String
        if lower.contains("connection refused") {
            shortReason = "connection refused"
            hint = "is the server running and listening on that address and port?"
        } else if lower.contains("timeout expired") {
            shortReason = "no answer before the connect timeout"
            hint = "is the host reachable and the port open? (raise connect_timeout for a slow network)"
        } else if lower.contains("could not translate host name") {
            shortReason = "unknown host name"
            hint = "check the host in the connection string"
        } else if lower.contains("no such file or directory") {
            shortReason = "no server socket there"
            hint = "is the server running, and are host (socket directory) and port right?"
        } else if lower.contains("password authentication failed") || lower.contains("no password supplied") {
            shortReason = reason
            hint = "check the user name and password (or ~/.pgpass)"
        } else if lower.contains("database") && lower.contains("does not exist") {
            shortReason = reason
            hint = "create the database or fix its name in the connection string"
        } else if lower.contains("role") && lower.contains("does not exist") {
            shortReason = reason
            hint = "create the role or fix the user name in the connection string"
        } else if lower.contains("pg_hba.conf") {
            shortReason = reason
            hint = "allow this client in the server's pg_hba.conf"
        } else if lower.contains("too many clients") || lower.contains("remaining connection slots") {
            shortReason = reason
            hint = "raise max_connections or use fewer connections"
        } else if lower.contains("starting up") || lower.contains("shutting down") || lower.contains("in recovery") {
            shortReason = reason
            hint = "wait until the server is up, then retry"
        } else if lower.contains("unreachable") || lower.contains("no route to host") {
            shortReason = reason
            hint = "check the network path to the host"
        } else {
            shortReason = reason.isEmpty ? "libpq gave no reason" : reason
            hint = "check the connection string \(connectionString.redacted) and that the server is reachable"
        }
        return .connectionFailed(server: server, reason: shortReason, hint: hint)
    }

    /// A short reason for a lost connection, e.g. `server closed the connection (terminating connection
    /// due to administrator command)`.
    static func lossReason(_ message: String) -> String {
        let lines = message.split(separator: "\n").map { stripSeverity($0.trimmingSpaces) }.filter { !$0.isEmpty }
        if lines.contains(where: { $0.contains("server closed the connection") }) {
            let cause = lines.first { !$0.contains("server closed the connection") && !$0.hasPrefix("This probably") && !$0.hasPrefix("before or while") }
            return "server closed the connection" + (cause.map { " (\($0))" } ?? "")
        }
        return lines.first ?? ""
    }

    /// The first line without libpq's `connection to server at "…", port … failed:` prefix.
    private static func cleanReason(_ message: String) -> String {
        let lines = message.split(separator: "\n").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        guard var line = lines.first else { return "" }
        if let failed = line.firstRange(of: " failed: ") {
            line = String(line[failed.upperBound...])
        }
        return stripSeverity(line)
    }

    private static func stripSeverity(_ line: String) -> String {
        for prefix in ["FATAL:", "ERROR:", "WARNING:"] where line.hasPrefix(prefix) {
            return String(line.dropFirst(prefix.count)).trimmingSpaces
        }
        return line
    }
}
