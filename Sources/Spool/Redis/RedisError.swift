/// Everything that can go wrong talking to Redis. Each message names the server and, where there is one, the fix.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL could not be parsed.
    case invalidURL(url: String, reason: String)
    /// No connection could be made (refused, unknown host, connect timeout, …).
    case connectFailed(server: String, reason: String)
    /// The server did not accept the credentials or the database (`NOAUTH`, `WRONGPASS`, bad `SELECT`).
    case authenticationFailed(server: String, reply: String)
    /// The server did not answer within the command timeout; the connection was dropped and is re-made on the next call.
    case timeout(server: String, seconds: Double)
    /// The connection broke during a call (server closed it, restarted, network error); re-made on the next call.
    case connectionLost(server: String, reason: String)
    /// The server answered with an error reply.
    case server(server: String, message: String)
    /// The reply did not have the shape the caller expected.
    case unexpectedReply(server: String, expected: String, got: String)
    /// No pooled connection became free in time.
    case poolExhausted(server: String, size: Int, waitedSeconds: Double)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            return "invalid Redis URL \"\(url)\": \(reason)"
        case .connectFailed(let server, let reason):
            let hint = reason.lowercased().contains("refused") ? " — is redis-server running and listening there?" : ""
            return "cannot reach Redis at \(server): \(reason)\(hint)"
        case .authenticationFailed(let server, let reply):
            return "Redis at \(server) rejected the login: \(reply) — check the user/password (and db) in the Redis URL"
        case .timeout(let server, let seconds):
            return "Redis at \(server) did not answer within \(formatSeconds(seconds)) (command timeout); the connection was reset and is re-made on the next call"
        case .connectionLost(let server, let reason):
            return "lost the connection to Redis at \(server): \(reason); it is re-made on the next call"
        case .server(let server, let message):
            return "Redis at \(server) answered with an error: \(message)"
        case .unexpectedReply(let server, let expected, let got):
            return "unexpected reply from Redis at \(server): expected \(expected), got \(got)"
        case .poolExhausted(let server, let size, let waited):
            return "all \(size) pooled connections to Redis at \(server) stayed busy for \(formatSeconds(waited)); raise the pool size or shorten the work done while holding one"
        }
    }

    /// True when the error came from the transport (connect, timeout, lost connection): worth a retry after a pause.
    public var isConnectionProblem: Bool {
        switch self {
        case .connectFailed, .timeout, .connectionLost, .poolExhausted: return true
        default: return false
        }
    }
}

func formatSeconds(_ seconds: Double) -> String {
    if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
    let rounded = (seconds * 10).rounded() / 10
    return rounded == rounded.rounded() ? "\(Int(rounded)) s" : "\(rounded) s"
}
