import Spool

/// The checks `Queue.enqueue` makes before it sends a job, with the same ``SpoolError``s and messages, so
/// a job the outbox accepts is one the relay can publish. (Spool keeps these checks internal; they are
/// mirrored here and must change with them.) Adds what only Postgres needs: no NUL characters in text
/// columns and a UTF-8 payload.
enum OutboxJobRules {
    /// Checks everything about `job` for `queue`: queue name, options, kind and payload.
    static func validate(_ job: NewJob, queue: String, maxPayloadBytes: Int) throws(SpoolError) {
        try validateQueueName(queue)
        try validate(job.options)
        guard !job.kind.isEmpty, job.kind.utf8.count <= 200 else { throw .invalidJob("job kind must be 1–200 bytes") }
        guard !job.kind.utf8.contains(0) else { throw .invalidJob("job kind \"\(job.kind)\" contains a NUL character") }
        guard job.payload.count <= maxPayloadBytes else {
            throw .payloadTooLarge(queue: queue, kind: job.kind, bytes: job.payload.count, limit: maxPayloadBytes)
        }
    }

    /// The payload as text for the `json` column; throws `payloadEncoding` for bytes that are not UTF-8 or
    /// hold a NUL (neither can be valid JSON, and Postgres text cannot hold them).
    static func payloadText(_ job: NewJob) throws(SpoolError) -> String {
        guard let text = String(validating: job.payload, as: UTF8.self), !job.payload.contains(0) else {
            throw .payloadEncoding("\(job.kind) payload is not UTF-8 text without NUL bytes")
        }
        return text
    }

    /// Queue names: 1–100 bytes, no braces (they would break the hash tag), colons or whitespace.
    static func validateQueueName(_ name: String) throws(SpoolError) {
        guard !name.isEmpty, name.utf8.count <= 100 else {
            throw .invalidJob("queue name \"\(name)\" must be 1–100 bytes")
        }
        if name.contains(where: { $0 == "{" || $0 == "}" || $0 == ":" || $0.isWhitespace || $0.isNewline }) {
            throw .invalidJob("queue name \"\(name)\" may not contain braces, colons or whitespace")
        }
        if name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw .invalidJob("queue name \"\(name)\" may not contain control characters")
        }
    }

    /// The option checks of `JobOptions.validate()`.
    static func validate(_ options: JobOptions) throws(SpoolError) {
        if let id = options.id { try JobID.validate(id) }
        guard JobOptions.priorityRange.contains(options.priority) else {
            throw .invalidJob(
                "priority \(options.priority) is outside \(JobOptions.priorityRange.lowerBound)…\(JobOptions.priorityRange.upperBound)")
        }
        if let maxAttempts = options.maxAttempts, maxAttempts < 1 {
            throw .invalidJob("max attempts must be at least 1, not \(maxAttempts)")
        }
        if let delay = options.delay, delay < .zero { throw .invalidJob("delay must not be negative") }
        if let timeout = options.timeout, timeout <= .zero { throw .invalidJob("timeout must be positive") }
        if let backoff = options.backoff, backoff.encoded == nil {
            throw .invalidJob("a custom backoff function cannot be stored with a job; configure it per kind in the worker")
        }
        if let uniqueKey = options.uniqueKey {
            guard !uniqueKey.isEmpty, uniqueKey.utf8.count <= 500 else { throw .invalidJob("unique key must be 1–500 bytes") }
            guard options.uniqueFor > .zero else { throw .invalidJob("uniqueFor must be positive") }
            guard !uniqueKey.utf8.contains(0) else { throw .invalidJob("unique key contains a NUL character") }
        }
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
