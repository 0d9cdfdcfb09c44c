import Spool

/// Publishes claimed outbox rows to Redis: each row becomes `Queue.enqueue` of a job with the row's id
/// (idempotent: a job that exists already answers `.existing` and nothing changes), grouped by queue,
/// in `seq` order within each queue.
///
/// Decides per row: published, failed for good (the row can never be published: invalid options, kind
/// or queue name, payload over the client's limit), or failed for now (Redis rejected that one job).
/// When Redis itself is unreachable it throws instead, so the caller rolls the whole batch back.
struct OutboxPublisher {
    let client: SpoolClient

    /// What became of one row.
    enum Outcome: Sendable, Equatable {
        /// Enqueued (`created` false: the job was already in Redis). `note` is kept as the row's `last_error`.
        case published(created: Bool, note: String?)
        /// Not enqueued; `permanent` errors are never retried.
        case failed(error: String, permanent: Bool)
    }

    /// Publishes `rows` and returns each one's outcome, in the same order.
    ///
    /// - Throws: the ``SpoolError`` when Redis is unreachable (connect, timeout, lost connection, login):
    ///   some jobs may have been enqueued already, which is harmless, since the resend is idempotent.
    func publish(_ rows: [OutboxClaim.Row]) throws(SpoolError) -> [Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: rows.count)
        // Build every job first; a row that is not a valid job fails alone.
        var groups: [(queue: Queue, indexes: [Int], jobs: [NewJob])] = []
        var groupByQueue: [String: Int] = [:]
        for (index, row) in rows.enumerated() {
            do {
                let (queue, job) = try makeJob(row)
                if let group = groupByQueue[row.queue] {
                    groups[group].indexes.append(index)
                    groups[group].jobs.append(job)
                } else {
                    groupByQueue[row.queue] = groups.count
                    groups.append((queue, [index], [job]))
                }
            } catch {
                outcomes[index] = .failed(error: error.description, permanent: true)
            }
        }
        for group in groups {
            do {
                let results = try group.queue.enqueue(group.jobs)
                for (position, result) in results.enumerated() where position < group.indexes.count {
                    outcomes[group.indexes[position]] = Self.outcome(result, queue: group.queue.name)
                }
            } catch where Self.isOutage(error) {
                throw error
            } catch {
                // One job spoilt the group's call: enqueue them one by one to find it.
                for (position, job) in group.jobs.enumerated() {
                    do {
                        outcomes[group.indexes[position]] = Self.outcome(try group.queue.enqueue(job), queue: group.queue.name)
                    } catch where Self.isOutage(error) {
                        throw error
                    } catch {
                        outcomes[group.indexes[position]] = .failed(error: error.description, permanent: Self.isPermanent(error))
                    }
                }
            }
        }
        return outcomes.map { $0 ?? .failed(error: "internal error: no outcome for this row", permanent: false) }
    }

    /// The queue and job a row stands for, checked as `Queue.enqueue` would check it.
    private func makeJob(_ row: OutboxClaim.Row) throws(SpoolError) -> (Queue, NewJob) {
        try JobID.validate(row.jobID)
        let queue = try client.queue(row.queue)
        let options = try OutboxOptionsCodec.decode(
            id: row.jobID, values: row.optionValues, unknownKeys: row.unknownKeys, createdMillis: row.createdMillis)
        let job = NewJob(kind: row.kind, validatedJSON: Array(row.payload.utf8), options: options)
        try OutboxJobRules.validate(job, queue: row.queue, maxPayloadBytes: client.maxPayloadBytes)
        return (queue, job)
    }

    private static func outcome(_ result: EnqueueResult, queue: String) -> Outcome {
        switch result {
        case .created:
            return .published(created: true, note: nil)
        case .existing:
            return .published(created: false, note: nil)
        case .duplicate(let holder):
            return .published(
                created: false, note: "not enqueued: its unique key is held by job \(holder) in queue \(queue)")
        }
    }

    /// Redis as a whole is unreachable: retrying later is the only answer, for every row.
    static func isOutage(_ error: SpoolError) -> Bool {
        guard case .redis(let redis) = error else { return false }
        switch redis {
        case .connectFailed, .timeout, .connectionLost, .poolExhausted, .authenticationFailed, .invalidURL: return true
        case .server, .unexpectedReply: return false
        }
    }

    /// The job itself is wrong: retrying cannot help.
    static func isPermanent(_ error: SpoolError) -> Bool {
        switch error {
        case .invalidJob, .payloadTooLarge, .payloadEncoding: return true
        case .redis, .jobNotFound, .protocolMismatch: return false
        }
    }
}
