import Foundation

/// How one job should run. Every field is optional; unset ones take the worker's per-kind or per-queue default.
public struct JobOptions: Sendable {
    /// The job id; give one to make enqueue idempotent (same id → same job). Default: a new UUIDv7.
    public var id: String?
    /// Higher runs first; FIFO inside one priority. Range −32768…32767, default 0.
    public var priority: Int
    /// Run no earlier than this long after enqueue.
    public var delay: Duration?
    /// Run no earlier than this time (wins over `delay`).
    public var runAt: Date?
    /// Attempts before the job goes dead; nil takes the worker's default.
    public var maxAttempts: Int?
    /// Backoff between attempts; nil takes the worker's default. `.custom` cannot be stored with a job.
    public var backoff: RetryPolicy?
    /// How long one attempt may run; nil takes the worker's default.
    public var timeout: Duration?
    /// At most one job with this key exists in the queue while the key is held (until the job finishes, or
    /// `uniqueFor` passes); a duplicate enqueue returns the holder's id.
    public var uniqueKey: String?
    /// How long a unique key is held at most (default 1 hour).
    public var uniqueFor: Duration

    /// Creates options; all defaults unless given.
    public init(id: String? = nil, priority: Int = 0, delay: Duration? = nil, runAt: Date? = nil,
                maxAttempts: Int? = nil, backoff: RetryPolicy? = nil, timeout: Duration? = nil,
                uniqueKey: String? = nil, uniqueFor: Duration = .seconds(3600)) {
        self.id = id
        self.priority = priority
        self.delay = delay
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.timeout = timeout
        self.uniqueKey = uniqueKey
        self.uniqueFor = uniqueFor
    }

    /// The lowest and highest priority.
    public static let priorityRange = -32768...32767

    /// Checks the options: a valid id, priority in range, positive attempts and timeout, a storable backoff,
    /// a sane unique key. Throws `SpoolError.invalidJob` saying what is wrong.
    public func validate() throws(SpoolError) {
        if let id { try JobID.validate(id) }
        guard Self.priorityRange.contains(priority) else {
            throw .invalidJob("priority \(priority) is outside \(Self.priorityRange.lowerBound)…\(Self.priorityRange.upperBound)")
        }
        if let maxAttempts, maxAttempts < 1 { throw .invalidJob("max attempts must be at least 1, not \(maxAttempts)") }
        if let delay, delay < .zero { throw .invalidJob("delay must not be negative") }
        if let timeout, timeout <= .zero { throw .invalidJob("timeout must be positive") }
        if let backoff, backoff.encoded == nil {
            throw .invalidJob("a custom backoff function cannot be stored with a job; configure it per kind in the worker")
        }
        if let uniqueKey {
            guard !uniqueKey.isEmpty, uniqueKey.utf8.count <= 500 else { throw .invalidJob("unique key must be 1–500 bytes") }
            guard uniqueFor > .zero else { throw .invalidJob("uniqueFor must be positive") }
            guard !uniqueKey.utf8.contains(0) else { throw .invalidJob("unique key contains a NUL character") }
        }
    }
}

/// A job to enqueue: its kind, JSON payload and options.
public struct NewJob: Sendable {
    /// The handler kind, e.g. `email.welcome`.
    public var kind: String
    /// The payload as UTF-8 JSON bytes.
    public var payload: [UInt8]
    /// How it runs.
    public var options: JobOptions

    /// A job whose payload is JSON text; the text is checked to be valid JSON.
    public init(kind: String, json: String, options: JobOptions = JobOptions()) throws(SpoolError) {
        let bytes = Array(json.utf8)
        do {
            _ = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw .payloadEncoding("\(kind) payload: \(Self.firstLine(of: error))")
        }
        self.init(kind: kind, validatedJSON: bytes, options: options)
    }

    /// A job whose payload is any `Encodable` value, encoded with `JSONEncoder`.
    public init<Payload: Encodable>(kind: String, payload: Payload, options: JobOptions = JobOptions()) throws(SpoolError) {
        do {
            let data = try JSONEncoder().encode(payload)
            self.init(kind: kind, validatedJSON: Array(data), options: options)
        } catch {
            throw .payloadEncoding("cannot encode the \(kind) payload: \(error)")
        }
    }

    /// A job whose payload bytes are known to be valid JSON (no check made).
    public init(kind: String, validatedJSON: [UInt8], options: JobOptions = JobOptions()) {
        self.kind = kind
        payload = validatedJSON
        self.options = options
    }

    /// Checks everything `Queue.enqueue` checks before sending: the queue name, the options, the kind and the
    /// payload size. Other enqueue paths (the Postgres outbox) call it so a job they accept is one Redis takes.
    public func validate(queue: String, maxPayloadBytes: Int) throws(SpoolError) {
        try QueueName.validate(queue)
        try validateContents(queue: queue, maxPayloadBytes: maxPayloadBytes)
    }

    /// `validate(queue:maxPayloadBytes:)` less the queue name, for a queue whose name was checked already.
    func validateContents(queue: String, maxPayloadBytes: Int) throws(SpoolError) {
        try options.validate()
        guard !kind.isEmpty, kind.utf8.count <= 200 else { throw .invalidJob("job kind must be 1–200 bytes") }
        guard !kind.utf8.contains(0) else { throw .invalidJob("job kind \"\(kind)\" contains a NUL character") }
        guard payload.count <= maxPayloadBytes else {
            throw .payloadTooLarge(queue: queue, kind: kind, bytes: payload.count, limit: maxPayloadBytes)
        }
    }

    static func firstLine(of error: Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}

/// What an enqueue did.
public enum EnqueueResult: Sendable, Hashable {
    /// A new job was created, in this state (`ready` or `scheduled`).
    case created(id: String, state: JobState)
    /// A job with this id already exists (or completed recently); nothing changed.
    case existing(id: String, state: JobState)
    /// The unique key is held by another job, whose id this is; nothing changed.
    case duplicate(holderID: String)

    /// The id of the job that now stands for this enqueue (new, existing or holder).
    public var id: String {
        switch self {
        case .created(let id, _), .existing(let id, _): return id
        case .duplicate(let holder): return holder
        }
    }

    /// True when a new job was created.
    public var isNew: Bool {
        if case .created = self { return true }
        return false
    }
}
