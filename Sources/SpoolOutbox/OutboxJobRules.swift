import Spool

/// What only Postgres needs on top of Spool's own job checks (`NewJob.validate(queue:maxPayloadBytes:)`):
/// a UTF-8 payload without NUL characters for the `json` column.
enum OutboxJobRules {
    /// Checks everything about `job` for `queue`, with the same errors `Queue.enqueue` gives.
    static func validate(_ job: NewJob, queue: String, maxPayloadBytes: Int) throws(SpoolError) {
        try job.validate(queue: queue, maxPayloadBytes: maxPayloadBytes)
    }

    /// The payload as text for the `json` column; throws `payloadEncoding` for bytes that are not UTF-8 or
    /// hold a NUL (neither can be valid JSON, and Postgres text cannot hold them).
    static func payloadText(_ job: NewJob) throws(SpoolError) -> String {
        guard let text = String(validating: job.payload, as: UTF8.self), !job.payload.contains(0) else {
            throw .payloadEncoding("\(job.kind) payload is not UTF-8 text without NUL bytes")
        }
        return text
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, at least 0 (as Spool sends durations to Redis).
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? 0 : Int64.max }
        return max(0, product &+ attoseconds / 1_000_000_000_000_000)
    }
}
