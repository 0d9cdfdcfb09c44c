/// What `fetch` returns: the leased jobs, whether the queue is paused, and when the next delayed job is due.
public struct FetchResult: Sendable {
    /// Jobs now leased to the caller.
    public var jobs: [LeasedJob]
    /// True when the queue is paused (no jobs are handed out).
    public var paused: Bool
    /// Time until the next delayed job is due, or nil when none waits. Bound your idle wait by it.
    public var nextDueIn: Duration?
}

/// How a failed attempt continues.
public enum FailureDisposition: Sendable {
    /// Retry after the policy's backoff for this attempt (dead once max attempts are used up).
    case backoff(RetryPolicy)
    /// Retry after exactly this long (dead once max attempts are used up).
    case retryAfter(Duration)
    /// Rate limited: retry after this long without counting the attempt.
    case rateLimited(retryAfter: Duration)
    /// Do not retry: straight to dead.
    case permanent
}

/// What `fail` did.
public enum FailOutcome: Sendable, Hashable {
    /// Scheduled for another attempt after `delay`.
    case retrying(attempts: Int, delay: Duration)
    /// Moved to the dead set.
    case dead(attempts: Int)
    /// The lease was no longer ours (reaped, or finished by someone else); nothing changed.
    case stale
}

/// A lease: a job id and the token that proves the caller holds it.
public struct Lease: Sendable, Hashable {
    /// The job id.
    public var id: String
    /// The lease token from `fetch`.
    public var token: String
    /// Creates a lease reference.
    public init(id: String, token: String) {
        self.id = id
        self.token = token
    }
}

extension LeasedJob {
    /// This job's lease.
    public var lease: Lease { Lease(id: id, token: token) }
}

extension Queue {
    /// Promotes due delayed jobs, then leases up to `count` ready jobs (highest priority first, FIFO within one)
    /// for `lease`. Tokens start with `tokenPrefix` (use something unique per worker process).
    public func fetch(count: Int, lease: Duration = .seconds(30), tokenPrefix: String) throws(SpoolError) -> FetchResult {
        let connection: RedisConnection
        do { connection = try client.pool.checkOut() } catch { throw .redis(error) }
        defer { client.pool.checkIn(connection) }
        return try fetch(count: count, lease: lease, tokenPrefix: tokenPrefix, on: connection)
    }

    /// `fetch` on a connection the caller owns (worker threads keep one each).
    public func fetch(count: Int, lease: Duration, tokenPrefix: String, on redis: RedisConnection) throws(SpoolError) -> FetchResult {
        let call = fetchCall(count: count, lease: lease, tokenPrefix: tokenPrefix)
        let reply = try retryingStaleConnection { () throws(RedisError) in
            try redis.evaluate(call.script, keys: call.keys, arguments: call.arguments)
        }
        return try fetchResult(from: reply)
    }

    /// Completes `completions` and leases up to `count` more jobs in one round trip (the `complete` and `fetch`
    /// scripts, pipelined): a worker thread that runs its own jobs pays one call per batch, not two. Returns,
    /// per completion, whether its lease was still valid (as `complete(_:on:)`), and what `fetch` leased.
    /// Completions go first, so a job finished here cannot be handed out again by the fetch that follows.
    /// When it throws, which completions were applied is unknown: sending them again is safe (one already
    /// applied reports its lease as no longer valid and changes nothing).
    public func completeAndFetch(_ completions: [(lease: Lease, result: String?)], count: Int, lease: Duration,
                                 tokenPrefix: String, on redis: RedisConnection) throws(SpoolError) -> (applied: [Bool], fetched: FetchResult) {
        let completeCalls = completeCalls(completions)
        let calls = completeCalls.calls + [fetchCall(count: count, lease: lease, tokenPrefix: tokenPrefix)]
        let replies = try retryingStaleConnection { () throws(RedisError) in try redis.evaluateMany(calls) }
        guard replies.count == calls.count else { throw .protocolMismatch("completeAndFetch got \(replies.count) replies to \(calls.count) calls") }
        let server = redis.serverName
        for reply in replies {
            if let message = reply.errorMessage { throw .redis(.server(server: server, message: message)) }
        }
        let applied = try completeFlags(from: replies.dropLast(), sizes: completeCalls.sizes)
        return (applied, try fetchResult(from: replies[replies.count - 1]))
    }

    /// The `fetch` script call: lease up to `count` (1…1000) jobs for `lease`.
    func fetchCall(count: Int, lease: Duration, tokenPrefix: String) -> ScriptCall {
        ScriptCall(script: QueueScripts.fetch,
                   keys: [keys.base, keys.ready, keys.active, keys.delayed, keys.meta, keys.wake].map { RedisArgument($0) },
                   arguments: [RedisArgument(max(1, min(count, 1000))), RedisArgument(max(1, lease.wholeMilliseconds)), RedisArgument(tokenPrefix)])
    }

    /// Reads the `fetch` script's reply.
    func fetchResult(from reply: RedisValue) throws(SpoolError) -> FetchResult {
        let items = try reply.expectArray("fetch")
        guard items.count >= 2, (items.count - 2) % 12 == 0 else { throw .protocolMismatch("fetch returned \(items.count) items") }
        let due = items.integer(0)
        var jobs: [LeasedJob] = []
        jobs.reserveCapacity((items.count - 2) / 12)
        var i = 2
        while i < items.count {
            let backoff = items.text(i + 6)
            let timeout = items.integer(i + 7)
            let maxAttempts = items.integer(i + 5)
            let lastError = items.text(i + 10)
            jobs.append(LeasedJob(
                id: items.text(i), token: items.text(i + 1), queue: name, kind: items.text(i + 2),
                payload: items[i + 3].bytes ?? [], attempt: items.integer(i + 4),
                maxAttempts: maxAttempts > 0 ? maxAttempts : nil, backoff: backoff.isEmpty ? nil : backoff,
                timeout: timeout > 0 ? .milliseconds(timeout) : nil,
                createdAt: Date(millis: items.text(i + 8)) ?? Date(timeIntervalSince1970: 0),
                priority: items.integer(i + 9), lastError: lastError.isEmpty ? nil : lastError,
                stalls: items.integer(i + 11)))
            i += 12
        }
        return FetchResult(jobs: jobs, paused: items.integer(1) == 1, nextDueIn: due >= 0 ? .milliseconds(due) : nil)
    }

    /// Extends the leases of many active jobs in one call; returns the ids whose lease was lost.
    public func renew(_ leases: [Lease], for lease: Duration = .seconds(30), on redis: RedisConnection? = nil) throws(SpoolError) -> [String] {
        if leases.isEmpty { return [] }
        var arguments: [RedisArgument] = [RedisArgument(max(1, lease.wholeMilliseconds))]
        for item in leases {
            arguments.append(RedisArgument(item.id))
            arguments.append(RedisArgument(item.token))
        }
        let reply = try runScript(QueueScripts.renew, keys: [keys.base, keys.active], arguments: arguments, on: redis)
        return try reply.expectArray("renew").compactMap(\.string)
    }

    /// Marks an active job done when the token still matches; returns false (changing nothing) for a stale lease.
    @discardableResult
    public func complete(_ lease: Lease, result: String? = nil, on redis: RedisConnection? = nil) throws(SpoolError) -> Bool {
        try complete([(lease, result)], on: redis)[0]
    }

    /// Marks many active jobs done in one call per 1,000; returns, per job, whether its lease was still valid.
    public func complete(_ items: [(lease: Lease, result: String?)], on redis: RedisConnection? = nil) throws(SpoolError) -> [Bool] {
        let batches = completeCalls(items)
        var replies: [RedisValue] = []
        for call in batches.calls {
            replies.append(try runScript(call, on: redis))
        }
        return try completeFlags(from: replies[...], sizes: batches.sizes)
    }

    /// The `complete` script calls for `items`, one per 1,000, with the number of jobs in each.
    func completeCalls(_ items: [(lease: Lease, result: String?)]) -> (calls: [ScriptCall], sizes: [Int]) {
        var calls: [ScriptCall] = []
        var sizes: [Int] = []
        let keys = [keys.base, keys.active, keys.done, keys.meta].map { RedisArgument($0) }
        var start = 0
        while start < items.count {
            let slice = items[start..<min(start + 1000, items.count)]
            var arguments: [RedisArgument] = [
                retention.keepCompletedDetails ? "1" : "0", RedisArgument(retention.completedMaxCount),
                RedisArgument(retention.completedMaxAge.wholeMilliseconds),
            ]
            arguments.reserveCapacity(3 + slice.count * 3)
            for item in slice {
                arguments.append(RedisArgument(item.lease.id))
                arguments.append(RedisArgument(item.lease.token))
                arguments.append(RedisArgument(item.result ?? ""))
            }
            calls.append(ScriptCall(script: QueueScripts.complete, keys: keys, arguments: arguments))
            sizes.append(slice.count)
            start += 1000
        }
        return (calls, sizes)
    }

    /// Reads the `complete` scripts' replies (one letter per job) into one flag per job.
    func completeFlags(from replies: ArraySlice<RedisValue>, sizes: [Int]) throws(SpoolError) -> [Bool] {
        var applied: [Bool] = []
        applied.reserveCapacity(sizes.reduce(0, +))
        for (reply, size) in zip(replies, sizes) {
            guard let flags = reply.bytes, flags.count == size else { throw .protocolMismatch("complete returned \(reply)") }
            applied.append(contentsOf: flags.map { $0 == UInt8(ascii: "1") })
        }
        return applied
    }

    /// Records a failed attempt and retries or buries the job per `disposition`. `maxAttempts` is the limit in
    /// force when the job carries none of its own.
    @discardableResult
    public func fail(_ job: LeasedJob, error: String, disposition: FailureDisposition, defaultMaxAttempts: Int = 8,
                     on redis: RedisConnection? = nil) throws(SpoolError) -> FailOutcome {
        let mode: String
        let delay: Duration
        switch disposition {
        case .backoff(let policy):
            mode = "retry"
            delay = policy.delay(afterAttempt: job.attempt)
        case .retryAfter(let after):
            mode = "retry"
            delay = after
        case .rateLimited(let after):
            mode = "ratelimit"
            delay = after
        case .permanent:
            mode = "permanent"
            delay = .zero
        }
        let reply = try runScript(QueueScripts.fail, keys: [keys.base, keys.active, keys.delayed, keys.dead, keys.meta, keys.wake], arguments: [
            RedisArgument(job.id), RedisArgument(job.token), RedisArgument(mode), RedisArgument(delay.wholeMilliseconds),
            RedisArgument(String(error.prefix(4000))), RedisArgument(retention.errorHistory),
            RedisArgument(retention.deadMaxCount), RedisArgument(retention.deadMaxAge.wholeMilliseconds),
            RedisArgument(job.maxAttempts ?? defaultMaxAttempts),
        ], on: redis)
        let items = try reply.expectArray("fail")
        switch items.text(0) {
        case "retry": return .retrying(attempts: items.integer(1), delay: delay)
        case "dead": return .dead(attempts: items.integer(1))
        case "stale": return .stale
        default: throw .protocolMismatch("fail returned \(reply)")
        }
    }

    /// Hands active jobs back to `ready` at once, keeping their place and giving back the attempt (used on
    /// graceful shutdown). Returns how many were still ours.
    @discardableResult
    public func release(_ leases: [Lease], on redis: RedisConnection? = nil) throws(SpoolError) -> Int {
        if leases.isEmpty { return 0 }
        var arguments: [RedisArgument] = []
        for lease in leases {
            arguments.append(RedisArgument(lease.id))
            arguments.append(RedisArgument(lease.token))
        }
        return try runScript(QueueScripts.release, keys: [keys.base, keys.active, keys.ready, keys.wake], arguments: arguments, on: redis).int ?? 0
    }

    /// Moves up to `limit` due delayed jobs to ready. Returns how many, and the time to the next due one.
    public func promote(limit: Int = 1000, on redis: RedisConnection? = nil) throws(SpoolError) -> (promoted: Int, nextDueIn: Duration?) {
        let items = try runScript(QueueScripts.promote, keys: [keys.base, keys.delayed, keys.ready, keys.meta, keys.wake],
                                  arguments: [RedisArgument(max(1, min(limit, 1000)))], on: redis).expectArray("promote")
        let due = items.integer(1)
        return (items.integer(0), due >= 0 ? .milliseconds(due) : nil)
    }

    /// Returns up to `limit` jobs whose lease expired to ready (counting a stall); a job stalled more than
    /// `maxStalls` times goes dead with reason `stalled`.
    public func reap(maxStalls: Int = 3, limit: Int = 1000, on redis: RedisConnection? = nil) throws(SpoolError) -> (returned: Int, buried: Int) {
        let items = try runScript(QueueScripts.reap, keys: [keys.base, keys.active, keys.ready, keys.dead, keys.meta, keys.wake], arguments: [
            RedisArgument(maxStalls), RedisArgument(max(1, min(limit, 1000))), RedisArgument(retention.errorHistory),
            RedisArgument(retention.deadMaxCount), RedisArgument(retention.deadMaxAge.wholeMilliseconds),
        ], on: redis).expectArray("reap")
        return (items.integer(0), items.integer(1))
    }

    func runScript(_ script: RedisScript, keys: [String], arguments: [RedisArgument], on redis: RedisConnection?) throws(SpoolError) -> RedisValue {
        try runScript(ScriptCall(script: script, keys: keys.map { RedisArgument($0) }, arguments: arguments), on: redis)
    }

    /// Runs one script call on `redis`, or on a pooled connection when nil.
    func runScript(_ call: ScriptCall, on redis: RedisConnection?) throws(SpoolError) -> RedisValue {
        guard let redis else {
            return try client.withConnection { (redis) throws(RedisError) in try redis.evaluate(call.script, keys: call.keys, arguments: call.arguments) }
        }
        return try retryingStaleConnection { () throws(RedisError) in try redis.evaluate(call.script, keys: call.keys, arguments: call.arguments) }
    }
}

import Foundation

/// Runs `body`; when the connection turns out to have been cut since its last use (a Redis restart, a
/// network blip while idle), runs it once more on the re-made connection before reporting an error. Callers
/// pass only work that is safe to repeat.
public func retryingStaleConnection<T>(_ body: () throws(RedisError) -> T) throws(SpoolError) -> T {
    do {
        return try body()
    } catch RedisError.connectionLost {
        do { return try body() } catch { throw .redis(error) }
    } catch {
        throw .redis(error)
    }
}
