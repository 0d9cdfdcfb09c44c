import Foundation

extension Queue {
    /// Enqueues one job. Idempotent by id: an id that exists (or completed within the retention window)
    /// returns `.existing` and changes nothing; a held unique key returns `.duplicate` with the holder's id.
    @discardableResult
    public func enqueue(_ job: NewJob) throws(SpoolError) -> EnqueueResult {
        try enqueue([job])[0]
    }

    /// Enqueues a job with a typed payload.
    @discardableResult
    public func enqueue<Payload: Encodable>(kind: String, payload: Payload, options: JobOptions = JobOptions()) throws(SpoolError) -> EnqueueResult {
        try enqueue(NewJob(kind: kind, payload: payload, options: options))
    }

    /// Enqueues a job whose payload is JSON text (checked to be valid JSON).
    @discardableResult
    public func enqueue(kind: String, json: String, options: JobOptions = JobOptions()) throws(SpoolError) -> EnqueueResult {
        try enqueue(NewJob(kind: kind, json: json, options: options))
    }

    /// Enqueues many jobs in one round trip per 1,000 (one pipelined script call each). Every job is checked
    /// before anything is sent, so one bad job enqueues none. Results come back in order.
    public func enqueue(_ jobs: [NewJob]) throws(SpoolError) -> [EnqueueResult] {
        if jobs.isEmpty { return [] }
        var calls: [ScriptCall] = []
        calls.reserveCapacity(jobs.count)
        let keyArguments = [keys.base, keys.ready, keys.delayed, keys.meta, keys.wake, keys.done].map({ RedisArgument($0) })
        for job in jobs {
            calls.append(ScriptCall(script: QueueScripts.enqueue, keys: keyArguments, arguments: try arguments(for: job)))
        }
        try client.register(queue: name)
        var results: [EnqueueResult] = []
        results.reserveCapacity(jobs.count)
        var start = 0
        while start < calls.count {
            let batch = Array(calls[start..<min(start + 1000, calls.count)])
            let replies = try client.withConnection { (redis) throws(RedisError) in try redis.evaluateMany(batch) }
            for reply in replies { results.append(try Self.enqueueResult(reply, server: client.pool.configuration.endpoint.serverName)) }
            start += 1000
        }
        return results
    }

    /// `enqueue(_:)` for async callers: the Redis work runs on a Spool thread, never on the cooperative pool.
    @discardableResult
    public func enqueue(_ job: NewJob) async throws -> EnqueueResult {
        try await client.executor.run { [self] in try self.enqueue([job])[0] }
    }

    /// Enqueue-many for async callers.
    public func enqueue(_ jobs: [NewJob]) async throws -> [EnqueueResult] {
        try await client.executor.run { [self] in try self.enqueue(jobs) }
    }

    /// Typed-payload enqueue for async callers.
    @discardableResult
    public func enqueue<Payload: Encodable & Sendable>(kind: String, payload: Payload, options: JobOptions = JobOptions()) async throws -> EnqueueResult {
        let job = try NewJob(kind: kind, payload: payload, options: options)
        return try await enqueue(job)
    }

    func arguments(for job: NewJob) throws(SpoolError) -> [RedisArgument] {
        let options = job.options
        try options.validate()
        guard !job.kind.isEmpty, job.kind.utf8.count <= 200 else { throw .invalidJob("job kind must be 1–200 bytes") }
        guard job.payload.count <= client.maxPayloadBytes else {
            throw .payloadTooLarge(queue: name, kind: job.kind, bytes: job.payload.count, limit: client.maxPayloadBytes)
        }
        let id = options.id ?? JobID.make()
        let delayMs = options.delay?.milliseconds ?? 0
        let runAtMs = options.runAt?.millisecondsSince1970 ?? 0
        return [
            RedisArgument(id), RedisArgument(job.kind), RedisArgument(bytes: job.payload), RedisArgument(options.priority),
            RedisArgument(delayMs), RedisArgument(runAtMs), RedisArgument(options.maxAttempts ?? 0),
            RedisArgument(options.backoff?.encoded ?? ""), RedisArgument(options.timeout?.milliseconds ?? 0),
            RedisArgument(options.uniqueKey ?? ""), RedisArgument(max(1, options.uniqueFor.milliseconds)), RedisArgument(name),
        ]
    }

    static func enqueueResult(_ reply: RedisValue, server: String) throws(SpoolError) -> EnqueueResult {
        if let message = reply.errorMessage { throw .redis(.server(server: server, message: message)) }
        let items = try reply.expectArray("enqueue")
        let id = items.text(1)
        switch items.text(0) {
        case "created": return .created(id: id, state: JobState(rawValue: items.text(2)) ?? .ready)
        case "exists": return .existing(id: id, state: JobState(rawValue: items.text(2)) ?? .ready)
        case "duplicate": return .duplicate(holderID: id)
        default: throw .protocolMismatch("enqueue returned \(reply)")
        }
    }
}
