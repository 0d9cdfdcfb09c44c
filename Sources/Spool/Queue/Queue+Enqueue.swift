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

    /// Enqueues many jobs in one round trip: one script call per 1,000 jobs (or 8 MiB of payload), all calls
    /// pipelined. Every job is checked before anything is sent, so one bad job enqueues none. Results come back
    /// in order, one per job.
    public func enqueue(_ jobs: [NewJob]) throws(SpoolError) -> [EnqueueResult] {
        if jobs.isEmpty { return [] }
        let keyArguments = [keys.base, keys.ready, keys.delayed, keys.meta, keys.wake, keys.done].map { RedisArgument($0) }
        // The queue's name was checked when this handle was made; fresh ids for the batch come from one read.
        var freshIDs = JobID.make(count: jobs.count { $0.options.id == nil }).makeIterator()
        var calls: [ScriptCall] = []
        var batch = Self.newEnqueueBatch(name: name, jobs: min(jobs.count, 1000))
        var batchJobs = 0
        var batchBytes = 0
        var ids: [String] = []
        ids.reserveCapacity(jobs.count)
        for (index, job) in jobs.enumerated() {
            guard let id = job.options.id ?? freshIDs.next() else { throw .protocolMismatch("ran out of job ids") }
            ids.append(id)
            try job.validateContents(queue: name, maxPayloadBytes: client.maxPayloadBytes)
            if batchJobs == 1000 || (batchJobs > 0 && batchBytes + job.payload.count > 8 << 20) {
                calls.append(ScriptCall(script: QueueScripts.enqueue, keys: keyArguments, arguments: batch))
                batch = Self.newEnqueueBatch(name: name, jobs: min(jobs.count - index, 1000))
                batchJobs = 0
                batchBytes = 0
            }
            appendArguments(for: job, id: id, to: &batch)
            batchJobs += 1
            batchBytes += job.payload.count
        }
        calls.append(ScriptCall(script: QueueScripts.enqueue, keys: keyArguments, arguments: batch))
        try client.register(queue: name)
        let replies = try client.withConnection { (redis) throws(RedisError) in try redis.evaluateMany(calls) }
        let server = client.pool.configuration.endpoint.serverName
        var results: [EnqueueResult] = []
        results.reserveCapacity(jobs.count)
        for reply in replies {
            if let message = reply.errorMessage { throw .redis(.server(server: server, message: message)) }
            let items = try reply.expectArray("enqueue")
            guard let codes = items.first?.bytes else { throw .protocolMismatch("enqueue returned no status codes") }
            var detail = 1
            for code in codes {
                let id = ids[results.count]
                switch code {
                case UInt8(ascii: "r"): results.append(.created(id: id, state: .ready))
                case UInt8(ascii: "s"): results.append(.created(id: id, state: .scheduled))
                case UInt8(ascii: "e"):
                    results.append(.existing(id: id, state: JobState(rawValue: items.text(detail)) ?? .ready))
                    detail += 1
                case UInt8(ascii: "d"):
                    results.append(.duplicate(holderID: items.text(detail)))
                    detail += 1
                case UInt8(ascii: "x"):
                    // The other jobs of the call are in Redis; re-sending them is a no-op (their ids are fixed).
                    throw .redis(.server(server: server, message: "job \(id) of queue \(name) was not enqueued: \(items.text(detail))"))
                default: throw .protocolMismatch("enqueue returned status code \(code)")
                }
                guard results.count <= ids.count else { throw .protocolMismatch("enqueue answered more jobs than were sent") }
            }
        }
        guard results.count == jobs.count else { throw .protocolMismatch("enqueue answered \(results.count) of \(jobs.count) jobs") }
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

    /// The enqueue script's arguments before the jobs: the queue name; room reserved for `jobs` jobs.
    static func newEnqueueBatch(name: String, jobs: Int) -> [RedisArgument] {
        var batch: [RedisArgument] = [RedisArgument(name)]
        batch.reserveCapacity(1 + 12 * jobs)
        return batch
    }

    /// Appends one (validated) job's 12 enqueue-script arguments to `batch`.
    func appendArguments(for job: NewJob, id: String, to batch: inout [RedisArgument]) {
        let options = job.options
        let delayMs = options.delay?.wholeMilliseconds ?? 0
        let runAtMs = options.runAt?.millisecondsSince1970 ?? 0
        batch.append(RedisArgument(id))
        batch.append(RedisArgument(job.kind))
        batch.append(RedisArgument(bytes: job.payload))
        batch.append(RedisArgument(options.priority))
        batch.append(RedisArgument(delayMs))
        batch.append(RedisArgument(runAtMs))
        batch.append(RedisArgument(options.maxAttempts ?? 0))
        batch.append(RedisArgument(options.backoff?.encoded ?? ""))
        batch.append(RedisArgument(options.timeout?.wholeMilliseconds ?? 0))
        batch.append(RedisArgument(options.uniqueKey ?? ""))
        batch.append(RedisArgument(max(1, options.uniqueFor.wholeMilliseconds)))
        batch.append(options.id == nil ? "0" : "1")
    }
}
