import Foundation

/// `spool.noop`: returns at once. For smoke tests and benchmarks.
public struct NoopHandler: JobHandler {
    /// Any JSON is accepted.
    public struct Payload: Decodable, Sendable {
        public init(from decoder: Decoder) throws {}
    }

    public let kind = "spool.noop"
    /// Creates the handler.
    public init() {}

    public func perform(_ payload: Payload, context: JobContext) async throws -> String? { nil }
}

/// `spool.sleep`: sleeps `{"ms": N}` milliseconds, honouring cancellation. For smoke tests and benchmarks.
/// With `{"ms": N, "ignoreCancellation": true}` it blocks its thread and ignores cancellation (to test timeouts).
public struct SleepHandler: JobHandler {
    /// How long to sleep.
    public struct Payload: Decodable, Sendable {
        /// Milliseconds.
        public var ms: Int
        /// Block the worker thread and ignore cancellation.
        public var ignoreCancellation: Bool?
    }

    public let kind = "spool.sleep"
    /// Creates the handler.
    public init() {}

    public func perform(_ payload: Payload, context: JobContext) async throws -> String? {
        if payload.ignoreCancellation == true {
            try await context.blocking { Thread.sleep(forTimeInterval: Double(payload.ms) / 1000) }
            return "slept \(payload.ms) ms"
        }
        try await Task.sleep(for: .milliseconds(payload.ms))
        return "slept \(payload.ms) ms"
    }
}
