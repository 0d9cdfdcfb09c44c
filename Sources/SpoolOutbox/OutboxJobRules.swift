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
