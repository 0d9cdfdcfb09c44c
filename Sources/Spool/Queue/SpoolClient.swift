import Synchronization

/// The entry point to Spool on one Redis: a connection pool, a key namespace, and the queues in it.
///
/// Thread-safe; make one per process (or per namespace) and share it. Every method blocks the calling thread
/// on Redis; the `async` variants run the blocking part on Spool-owned threads (`BlockingExecutor`).
public final class SpoolClient: Sendable {
    /// The pooled connections.
    public let pool: RedisPool
    /// The key namespace (default `spool`); clients with different prefixes never see each other's jobs.
    public let prefix: String
    /// Threads that run blocking calls for `async` callers.
    public let executor: BlockingExecutor
    /// Largest accepted payload in bytes (default 1 MiB).
    public let maxPayloadBytes: Int
    /// Keys that span queues.
    public let globalKeys: GlobalKeys
    private let registeredQueues = Mutex<Set<String>>([])

    /// Creates a client; no connection is opened until first use.
    public init(configuration: RedisConfiguration, prefix: String = "spool", poolSize: Int = 8,
                maxPayloadBytes: Int = 1 << 20, executor: BlockingExecutor = .shared) {
        pool = RedisPool(configuration: configuration, size: poolSize)
        self.prefix = prefix
        self.executor = executor
        self.maxPayloadBytes = maxPayloadBytes
        globalKeys = GlobalKeys(prefix: prefix)
    }

    /// Creates a client from a Redis URL.
    public convenience init(url: String, prefix: String = "spool", poolSize: Int = 8) throws(SpoolError) {
        do {
            self.init(configuration: try RedisConfiguration(url: url), prefix: prefix, poolSize: poolSize)
        } catch {
            throw .redis(error)
        }
    }

    /// A handle on queue `name` (checked: 1–100 bytes, no braces, colons or whitespace).
    public func queue(_ name: String, retention: QueueRetention = QueueRetention()) throws(SpoolError) -> Queue {
        try QueueName.validate(name)
        return Queue(client: self, name: name, retention: retention)
    }

    /// Runs `body` with a pooled connection, turning Redis errors into `SpoolError.redis`.
    ///
    /// When the pooled connection turns out to have been cut since its last use (the server restarted, say),
    /// `body` runs once more on a fresh connection — so pass only work that is safe to repeat (every queue
    /// script except `fetch` is: enqueue carries its id, acknowledgements carry their lease token).
    public func withConnection<T>(_ body: (RedisConnection) throws(RedisError) -> T) throws(SpoolError) -> T {
        let connection: RedisConnection
        do { connection = try pool.checkOut() } catch { throw .redis(error) }
        defer { pool.checkIn(connection) }
        return try retryingStaleConnection { () throws(RedisError) in try body(connection) }
    }

    /// The names of every queue that has seen an enqueue, sorted.
    public func queueNames() throws(SpoolError) -> [String] {
        let reply = try withConnection { (redis) throws(RedisError) in try redis.command("SMEMBERS", RedisArgument(globalKeys.queues)) }
        return (reply.array ?? []).compactMap(\.string).sorted()
    }

    /// Records `queue` in the registry the CLI lists (once per process per queue).
    func register(queue: String) throws(SpoolError) {
        if registeredQueues.withLock({ $0.contains(queue) }) { return }
        try withConnection { (redis) throws(RedisError) in _ = try redis.command("SADD", RedisArgument(globalKeys.queues), RedisArgument(queue)) }
        registeredQueues.withLock { _ = $0.insert(queue) }
    }

    /// Blocks until one of `queues` gets work (an enqueue, a resume, a due retry, or a job handed back), or until
    /// `timeout` passes (to the millisecond). Returns the queue that was woken, or nil on timeout. No polling:
    /// one blocking call. Use a connection dedicated to waiting (`redis`): when the timeout passes here first,
    /// the server's late answer is read at the start of the next wait.
    ///
    /// Pass a `timeout` no longer than the time to the next delayed job (`FetchResult.nextDueIn`), so due jobs
    /// are fetched on time. On Redis Cluster, whose queues live in different slots, call it per queue.
    public func waitForWork(queues: [String], timeout: Duration, on redis: RedisConnection) throws(SpoolError) -> String? {
        guard !queues.isEmpty else { return nil }
        let deadline = ContinuousClock.now + timeout
        var arguments: [RedisArgument] = ["BLPOP"]
        var byKey: [String: String] = [:]
        for queue in queues {
            let key = QueueKeys(queue: queue, prefix: prefix).wake
            byKey[key] = queue
            arguments.append(RedisArgument(key))
        }
        // Redis fires blocking timeouts late (up to 1/hz); the local deadline is what counts, the server's
        // own timeout only bounds how long the reply may be owed.
        arguments.append(RedisArgument(format3(max(0.001, timeout.inSeconds + 0.2))))
        let reply: RedisValue?
        reply = try retryingStaleConnection { () throws(RedisError) in try redis.wait(arguments, serverTimeout: timeout + .milliseconds(200), deadline: deadline) }
        guard let items = reply?.array, let key = items.first?.string else { return nil }
        return byKey[key]
    }
}

/// Seconds with three decimals, as BLPOP's timeout argument.
func format3(_ seconds: Double) -> String {
    let millis = Int64((seconds * 1000).rounded(.up))
    let whole = millis / 1000
    let fraction = millis % 1000
    let padded = fraction < 10 ? "00\(fraction)" : (fraction < 100 ? "0\(fraction)" : "\(fraction)")
    return "\(whole).\(padded)"
}
