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

extension Duration {
    /// The duration in (fractional) seconds.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded down: 0 for a negative duration, `Int64.max` where it would overflow.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? 0 : Int64.max }
        return max(0, product &+ attoseconds / 1_000_000_000_000_000)
    }

    /// Parses a whole number and a unit — `500ms`, `30s`, `15m`, `2h`, `7d` — as configuration files and the
    /// CLI write durations; nil for anything else (fractions, negatives, no unit, or too large to hold).
    public init?(wholeUnits text: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, millis) in units where text.hasSuffix(suffix) {
            // "5ms" also ends in "s": the longer suffix is tried first, and a leftover "m" is not a number.
            if let value = Int64(text.dropLast(suffix.count)), value >= 0, value <= Int64.max / millis / 1000 {
                self = .milliseconds(value * millis)
                return
            }
        }
        return nil
    }
}
