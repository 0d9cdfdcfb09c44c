import Dispatch
import Synchronization

/// A bounded, thread-safe pool of `RedisConnection`s for producers.
///
/// `withConnection` checks a connection out (making one when fewer than `size` exist), runs the body, and
/// checks it back in. When all are busy the caller waits up to `checkoutTimeout`, then gets
/// `RedisError.poolExhausted`. Connections broken by a failed call reconnect on their next use.
public final class RedisPool: Sendable {
    /// The configuration every pooled connection uses.
    public let configuration: RedisConfiguration
    /// The most connections this pool opens.
    public let size: Int
    /// How long a checkout waits for a free connection.
    public let checkoutTimeout: Duration
    private let permits: DispatchSemaphore
    private let idle: Mutex<[RedisConnection]>

    /// Creates a pool of at most `size` connections (no connection is opened until first use).
    public init(configuration: RedisConfiguration, size: Int = 8, checkoutTimeout: Duration = .seconds(10)) {
        self.configuration = configuration
        self.size = max(1, size)
        self.checkoutTimeout = checkoutTimeout
        permits = DispatchSemaphore(value: max(1, size))
        idle = Mutex([])
    }

    /// Runs `body` with a connection of its own; the connection goes back to the pool afterwards, even on throw.
    public func withConnection<T, E: Error>(_ body: (RedisConnection) throws(E) -> T) throws -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    /// Takes a connection out of the pool; pair with `checkIn`.
    public func checkOut() throws(RedisError) -> RedisConnection {
        let deadline = DispatchTime.now() + .nanoseconds(Int(checkoutTimeout.inSeconds * 1e9))
        guard permits.wait(timeout: deadline) == .success else {
            throw .poolExhausted(server: configuration.endpoint.serverName, size: size, waitedSeconds: checkoutTimeout.inSeconds)
        }
        if let connection = idle.withLock({ $0.popLast() }) { return connection }
        return RedisConnection(configuration: configuration)
    }

    /// Returns a connection taken with `checkOut`.
    public func checkIn(_ connection: RedisConnection) {
        idle.withLock { $0.append(connection) }
        permits.signal()
    }

    /// The number of connections idle in the pool right now.
    public var idleCount: Int { idle.withLock { $0.count } }
}
