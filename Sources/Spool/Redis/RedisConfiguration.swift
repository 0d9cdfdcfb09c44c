/// How a `RedisConnection` connects: the endpoint plus timeouts and a client name.
public struct RedisConfiguration: Sendable, Hashable {
    /// The server and credentials.
    public var endpoint: RedisEndpoint
    /// How long to wait for the TCP/unix connect.
    public var connectTimeout: Duration
    /// How long to wait for any one reply (blocking commands add their own wait on top).
    public var commandTimeout: Duration
    /// Sent with `CLIENT SETNAME` after connecting when set (visible in `CLIENT LIST`).
    public var clientName: String?

    /// Creates a configuration; defaults: connect 5 s, command 5 s.
    public init(endpoint: RedisEndpoint, connectTimeout: Duration = .seconds(5),
                commandTimeout: Duration = .seconds(5), clientName: String? = nil) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.clientName = clientName
    }

    /// Parses `url` (see `RedisEndpoint`) and applies the given timeouts.
    public init(url: String, connectTimeout: Duration = .seconds(5),
                commandTimeout: Duration = .seconds(5), clientName: String? = nil) throws(RedisError) {
        self.init(endpoint: try RedisEndpoint(url: url), connectTimeout: connectTimeout,
                  commandTimeout: commandTimeout, clientName: clientName)
    }
}
