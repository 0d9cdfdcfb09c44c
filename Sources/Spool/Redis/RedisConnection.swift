import CHiredis
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One blocking connection to Redis over hiredis.
///
/// Thread-safe: calls from several threads are serialised (one command or pipeline at a time), so a
/// connection is never used by two threads at once. Calls block the calling thread: use it from threads
/// you own, not from Swift's cooperative pool (`RedisPool` + `BlockingExecutor` give async callers that).
///
/// The connection is made lazily on the first call. When a call finds it broken (server restarted, network
/// error, timeout), that call throws an error saying what happened and the next call connects again,
/// repeating AUTH and SELECT.
public final class RedisConnection: Sendable {
    /// The configuration this connection was made with.
    public let configuration: RedisConfiguration
    private let state: Mutex<State>

    struct State {
        var context: UnsafeMutablePointer<redisContext>?
        /// SHA1s the server is known to have loaded on this connection's current session.
        var loadedScripts: Set<String> = []
        /// Replies still owed by the server to a wait the caller stopped waiting for (see `wait(_:serverTimeout:deadline:)`).
        var pendingReplies = 0
    }

    /// Creates a connection; nothing is sent until the first call (or `connect()`).
    public init(configuration: RedisConfiguration) {
        self.configuration = configuration
        state = Mutex(State())
    }

    /// Parses `url` and creates a connection with default timeouts.
    public convenience init(url: String) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url))
    }

    deinit {
        state.withLock { state in
            if let context = state.context { redisFree(context) }
            state.context = nil
        }
    }

    /// The server's name as error messages show it (`host:port` or socket path).
    public var serverName: String { configuration.endpoint.serverName }

    /// Connects now (if not connected), so a bad address or password shows up at start rather than on first use.
    public func connect() throws(RedisError) {
        try state.withLock { (state: inout State) throws(RedisError) in
            _ = try self.connected(&state)
        }
    }

    /// Closes the connection; the next call connects again.
    public func close() {
        state.withLock { state in
            if let context = state.context { redisFree(context) }
            state.context = nil
            state.loadedScripts = []
        }
    }

    /// True when a connection is currently open (it may still turn out broken on the next call).
    public var isConnected: Bool { state.withLock { $0.context != nil } }

    /// Sends one command and returns its reply; an error reply throws `RedisError.server`
    /// (or `.authenticationFailed` for NOAUTH/WRONGPASS).
    @discardableResult
    public func command(_ arguments: [RedisArgument]) throws(RedisError) -> RedisValue {
        let reply = try send(arguments)
        try throwIfError(reply)
        return reply
    }

    /// Variadic form of `command(_:)`.
    @discardableResult
    public func command(_ arguments: RedisArgument...) throws(RedisError) -> RedisValue {
        try command(arguments)
    }

    /// Sends one command and returns its reply as is: an error reply comes back as `.error`, not thrown.
    /// Only transport problems throw.
    public func send(_ arguments: [RedisArgument]) throws(RedisError) -> RedisValue {
        try state.withLock { (state: inout State) throws(RedisError) -> RedisValue in
            let context = try self.connected(&state)
            return try self.roundTrip(&state, context, [arguments])[0]
        }
    }

    /// Sends a blocking command (BLPOP, BZPOPMIN, …) that may legitimately wait up to `wait` before replying:
    /// the socket timeout is raised to `wait` + the command timeout for this call only.
    public func blockingCommand(_ arguments: [RedisArgument], wait: Duration) throws(RedisError) -> RedisValue {
        try state.withLock { (state: inout State) throws(RedisError) -> RedisValue in
            let context = try self.connected(&state)
            Self.setSocketTimeout(context, wait + self.configuration.commandTimeout)
            let reply = try self.roundTrip(&state, context, [arguments], timeout: wait + self.configuration.commandTimeout)[0]
            if let context = state.context { Self.setSocketTimeout(context, self.configuration.commandTimeout) }
            try self.throwIfError(reply)
            return reply
        }
    }

    /// Sends a blocking command whose server-side timeout is `serverTimeout` and waits for its reply only until
    /// `deadline` (measured here, to the millisecond — Redis itself fires blocking timeouts up to 1/hz late).
    /// Returns nil when the deadline passed first; the reply still owed is read and dropped before this
    /// connection's next call (use a connection dedicated to waiting, so that costs nothing).
    public func wait(_ arguments: [RedisArgument], serverTimeout: Duration, deadline: ContinuousClock.Instant) throws(RedisError) -> RedisValue? {
        try state.withLock { (state: inout State) throws(RedisError) -> RedisValue? in
            let context = try self.connected(&state)
            guard Self.append(arguments, to: context) == REDIS_OK else { throw self.fail(&state, context, timeout: nil) }
            var done: Int32 = 0
            while done == 0 {
                if redisBufferWrite(context, &done) != REDIS_OK { throw self.fail(&state, context, timeout: nil) }
            }
            while true {
                var raw: UnsafeMutableRawPointer?
                if redisGetReplyFromReader(context, &raw) != REDIS_OK { throw self.fail(&state, context, timeout: nil) }
                if let raw {
                    let reply = Self.value(of: raw.assumingMemoryBound(to: redisReply.self))
                    freeReplyObject(raw)
                    try self.throwIfError(reply)
                    return reply
                }
                let remaining = deadline - ContinuousClock.now
                if remaining <= .zero {
                    state.pendingReplies += 1
                    return nil
                }
                var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
                let millis = Int32(min(remaining.wholeMilliseconds + 1, Int64(Int32.max)))
                let ready = poll(&descriptor, 1, millis)
                if ready < 0 && errno != EINTR { throw self.fail(&state, context, timeout: nil) }
                if ready > 0 && redisBufferRead(context) != REDIS_OK { throw self.fail(&state, context, timeout: nil) }
                _ = serverTimeout
            }
        }
    }

    /// Pipelining: writes all commands, then reads all replies, in one round trip.
    /// Replies come back in order; error replies are `.error` elements, transport problems throw.
    public func pipeline(_ commands: [[RedisArgument]]) throws(RedisError) -> [RedisValue] {
        if commands.isEmpty { return [] }
        return try state.withLock { (state: inout State) throws(RedisError) -> [RedisValue] in
            let context = try self.connected(&state)
            return try self.roundTrip(&state, context, commands)
        }
    }

    /// Runs a Lua script by EVALSHA; when the server does not have it (NOSCRIPT, e.g. after SCRIPT FLUSH or a
    /// restart) loads it and runs it again. An error reply from the script throws `RedisError.server`.
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument]) throws(RedisError) -> RedisValue {
        let reply = try evaluateMany([ScriptCall(script: script, keys: keys, arguments: arguments)])[0]
        try throwIfError(reply)
        return reply
    }

    /// Runs many script calls in one pipeline (EVALSHA each); calls that hit NOSCRIPT are re-run after
    /// loading their script. Returns the replies in order, error replies as `.error` elements.
    public func evaluateMany(_ calls: [ScriptCall]) throws(RedisError) -> [RedisValue] {
        if calls.isEmpty { return [] }
        return try state.withLock { (state: inout State) throws(RedisError) -> [RedisValue] in
            let context = try self.connected(&state)
            var replies = try self.roundTrip(&state, context, calls.map { $0.evalshaArguments })
            let missing = replies.indices.filter { replies[$0].errorMessage?.hasPrefix("NOSCRIPT") == true }
            if missing.isEmpty { return replies }
            guard let context = state.context else {
                throw RedisError.connectionLost(server: self.serverName, reason: "connection closed while loading scripts")
            }
            var scripts: [String: RedisScript] = [:]
            for i in missing { scripts[calls[i].script.sha1] = calls[i].script }
            let loads = scripts.values.map { ["SCRIPT", "LOAD", RedisArgument($0.source)] as [RedisArgument] }
            let retried = try self.roundTrip(&state, context, loads + missing.map { calls[$0].evalshaArguments })
            for (n, load) in retried.prefix(loads.count).enumerated() {
                if let message = load.errorMessage {
                    let name = Array(scripts.values)[n].name
                    throw RedisError.server(server: self.serverName, message: "loading script \(name): \(message)")
                }
            }
            for (n, i) in missing.enumerated() { replies[i] = retried[loads.count + n] }
            return replies
        }
    }

    // MARK: - Internals

    func throwIfError(_ reply: RedisValue) throws(RedisError) {
        guard let message = reply.errorMessage else { return }
        if message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") || message.hasPrefix("NOPERM") {
            throw .authenticationFailed(server: serverName, reply: message)
        }
        throw .server(server: serverName, message: message)
    }

    /// The live context, connecting first when there is none.
    private func connected(_ state: inout State) throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        if let context = state.context {
            while state.pendingReplies > 0 {
                // A wait given up locally: its reply comes once the server's own timeout fires.
                Self.setSocketTimeout(context, .seconds(30))
                var raw: UnsafeMutableRawPointer?
                let status = redisGetReply(context, &raw)
                if let raw { freeReplyObject(raw) }
                state.pendingReplies -= 1
                if status != REDIS_OK {
                    _ = fail(&state, context, timeout: nil)
                    return try connected(&state)
                }
                Self.setSocketTimeout(context, configuration.commandTimeout)
            }
            return context
        }
        let context = try openContext()
        state.context = context
        state.loadedScripts = []
        return context
    }

    private func openContext() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        let endpoint = configuration.endpoint
        let timeout = Self.timeval(configuration.connectTimeout)
        let made: UnsafeMutablePointer<redisContext>?
        switch endpoint.address {
        case .tcp(let host, let port): made = redisConnectWithTimeout(host, Int32(port), timeout)
        case .unix(let path): made = redisConnectUnixWithTimeout(path, timeout)
        }
        guard let context = made else {
            throw .connectFailed(server: serverName, reason: "could not allocate a connection")
        }
        if context.pointee.err != 0 {
            var reason = String(cString: spool_redis_errstr(context))
            if reason.contains("temporarily unavailable") || reason.lowercased().contains("timed out") {
                reason = "no answer within \(formatSeconds(configuration.connectTimeout.inSeconds)) (connect timeout)"
            }
            redisFree(context)
            throw .connectFailed(server: serverName, reason: reason.lowercasedFirst())
        }
        Self.setSocketTimeout(context, configuration.commandTimeout)
        if case .tcp = endpoint.address { _ = redisEnableKeepAlive(context) }
        var setup: [[RedisArgument]] = []
        if let password = endpoint.password {
            if let user = endpoint.user {
                setup.append(["AUTH", RedisArgument(user), RedisArgument(password)])
            } else {
                setup.append(["AUTH", RedisArgument(password)])
            }
        }
        if endpoint.database != 0 { setup.append(["SELECT", RedisArgument(endpoint.database)]) }
        if let name = configuration.clientName { setup.append(["CLIENT", "SETNAME", RedisArgument(name)]) }
        guard !setup.isEmpty else { return context }
        var scratch = State(context: context)
        let replies: [RedisValue]
        do {
            replies = try roundTrip(&scratch, context, setup)
        } catch {
            throw .connectFailed(server: serverName, reason: "connected, then \(error)")
        }
        for reply in replies {
            if let message = reply.errorMessage {
                redisFree(context)
                throw .authenticationFailed(server: serverName, reply: message)
            }
        }
        return context
    }

    /// Writes `commands` and reads one reply each. On a transport error, frees the context (so the next call
    /// reconnects) and throws an error that says what happened.
    private func roundTrip(_ state: inout State, _ context: UnsafeMutablePointer<redisContext>,
                           _ commands: [[RedisArgument]], timeout: Duration? = nil) throws(RedisError) -> [RedisValue] {
        for arguments in commands where Self.append(arguments, to: context) != REDIS_OK {
            throw fail(&state, context, timeout: timeout)
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            let status = redisGetReply(context, &raw)
            guard status == REDIS_OK, let raw else {
                throw fail(&state, context, timeout: timeout)
            }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            replies.append(Self.value(of: reply))
            freeReplyObject(raw)
        }
        return replies
    }

    private func fail(_ state: inout State, _ context: UnsafeMutablePointer<redisContext>, timeout: Duration?) -> RedisError {
        let code = context.pointee.err
        let text = String(cString: spool_redis_errstr(context))
        let savedErrno = errno
        redisFree(context)
        if state.context == context { state.context = nil }
        state.loadedScripts = []
        if code == REDIS_ERR_IO && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || text.contains("temporarily unavailable")) {
            return .timeout(server: serverName, seconds: (timeout ?? configuration.commandTimeout).inSeconds)
        }
        if code == REDIS_ERR_EOF {
            return .connectionLost(server: serverName, reason: "the server closed the connection (restarted, or killed the client?)")
        }
        return .connectionLost(server: serverName, reason: text.isEmpty ? "I/O error" : text.lowercasedFirst())
    }

    static func value(of pointer: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let reply = pointer.pointee
        switch reply.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(reply.str, reply.len))
        case REDIS_REPLY_INTEGER:
            return .integer(reply.integer)
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(reply.str, reply.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(reply.str, reply.len), as: UTF8.self))
        case REDIS_REPLY_ARRAY:
            var items: [RedisValue] = []
            items.reserveCapacity(reply.elements)
            if let elements = reply.element {
                for i in 0..<reply.elements {
                    if let child = elements[i] { items.append(value(of: child)) } else { items.append(.null) }
                }
            }
            return .array(items)
        default:
            return .error("unknown reply type \(reply.type)")
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Appends one command to the context's output buffer, laid out in RESP here: one copy into hiredis,
    /// instead of hiredis formatting each argument (a batch of 1,000 jobs is 12,000 arguments).
    static func append(_ arguments: [RedisArgument], to context: UnsafeMutablePointer<redisContext>) -> Int32 {
        RESPCommand.encode(arguments).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { redisAppendFormattedCommand(context, $0.baseAddress, $0.count) }
        }
    }

    static func timeval(_ duration: Duration) -> timeval {
        let micros = max(Int64(1000), Int64(duration.inSeconds * 1_000_000))
        return Glibc.timeval(tv_sec: Int(micros / 1_000_000), tv_usec: Int(micros % 1_000_000))
    }

    static func setSocketTimeout(_ context: UnsafeMutablePointer<redisContext>, _ duration: Duration) {
        _ = redisSetTimeout(context, timeval(duration))
    }
}

extension String {
    func lowercasedFirst() -> String {
        guard let first else { return self }
        return first.lowercased() + dropFirst()
    }
}
