/// Errors of the queue API. Each message names the queue or job and what to do.
public enum SpoolError: Error, Sendable, CustomStringConvertible {
    /// Talking to Redis failed (see the wrapped error for which server and why).
    case redis(RedisError)
    /// The job or its options are invalid (bad id, priority out of range, …); nothing was enqueued.
    case invalidJob(String)
    /// The payload is larger than the limit; nothing was enqueued.
    case payloadTooLarge(queue: String, kind: String, bytes: Int, limit: Int)
    /// The payload could not be encoded to, or decoded from, JSON.
    case payloadEncoding(String)
    /// No job with this id in this queue.
    case jobNotFound(queue: String, id: String)
    /// A reply from a script had a shape this version does not understand (version skew?).
    case protocolMismatch(String)

    public var description: String {
        switch self {
        case .redis(let error): return error.description
        case .invalidJob(let why): return "invalid job: \(why)"
        case .payloadTooLarge(let queue, let kind, let bytes, let limit):
            return "payload of a \(kind) job for queue \(queue) is \(bytes) bytes; the limit is \(limit) bytes — store large data elsewhere and pass a reference"
        case .payloadEncoding(let why): return "payload is not valid JSON: \(why)"
        case .jobNotFound(let queue, let id): return "no job \(id) in queue \(queue)"
        case .protocolMismatch(let why): return "unexpected reply from a Spool script: \(why) — are all Spool components the same version?"
        }
    }
}
