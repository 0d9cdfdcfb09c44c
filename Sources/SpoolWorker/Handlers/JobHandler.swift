import Spool

/// A handler runs jobs of one kind.
///
/// `perform` is `async`; a handler that needs to block (a C library call, file I/O) wraps that part in
/// `context.blocking { … }`, which runs it on the Spool worker thread that owns the job — never on Swift's
/// cooperative pool. Throwing `JobFailure` chooses how the job continues; any other error retries with the
/// kind's backoff. Returning completes the job (the returned text, if any, is kept as its result).
public protocol JobHandler: Sendable {
    /// The payload type, decoded from the job's JSON. An undecodable payload sends the job straight to dead.
    associatedtype Payload: Decodable & Sendable
    /// The kind this handler serves, e.g. `email.welcome`.
    var kind: String { get }
    /// Runs one attempt.
    func perform(_ payload: Payload, context: JobContext) async throws -> String?
}

/// How a handler says a failed attempt should continue.
public enum JobFailure: Error, Sendable, CustomStringConvertible {
    /// Retry after the kind's backoff (the default for any other error).
    case retry(String)
    /// Retry after exactly this long (counts as an attempt).
    case retryAfter(Duration, String)
    /// Rate limited: retry after this long without counting the attempt.
    case rateLimited(retryAfter: Duration, String)
    /// Do not retry: straight to dead.
    case permanent(String)

    public var description: String {
        switch self {
        case .retry(let why), .retryAfter(_, let why), .rateLimited(_, let why), .permanent(let why): return why
        }
    }
}

/// A type-erased handler the registry stores.
struct AnyJobHandler: Sendable {
    let kind: String
    let run: @Sendable (_ payload: [UInt8], _ context: JobContext) async throws -> String?

    init<H: JobHandler>(_ handler: H) {
        kind = handler.kind
        run = { bytes, context in
            let payload: H.Payload
            do {
                payload = try JSONDecoderBox.decode(H.Payload.self, from: bytes)
            } catch {
                throw JobFailure.permanent("payload does not decode as \(H.Payload.self) for kind \(handler.kind): \(error)")
            }
            return try await handler.perform(payload, context: context)
        }
    }
}

import Foundation

enum JSONDecoderBox {
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
