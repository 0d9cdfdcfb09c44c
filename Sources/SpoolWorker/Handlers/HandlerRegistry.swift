import Spool

/// The handlers a worker knows, by kind, with each kind's retry defaults.
public struct HandlerRegistry: Sendable {
    /// Per-kind settings.
    public struct KindSettings: Sendable {
        /// Attempts before dead when the job has no limit of its own.
        public var maxAttempts: Int?
        /// Backoff when the job has none of its own.
        public var backoff: RetryPolicy?
        /// Attempt timeout when the job has none of its own.
        public var timeout: Duration?
        /// Creates settings; nil fields fall back to the queue's, then the worker's defaults.
        public init(maxAttempts: Int? = nil, backoff: RetryPolicy? = nil, timeout: Duration? = nil) {
            self.maxAttempts = maxAttempts
            self.backoff = backoff
            self.timeout = timeout
        }
    }

    private(set) var handlers: [String: AnyJobHandler] = [:]
    private(set) var settings: [String: KindSettings] = [:]

    /// An empty registry.
    public init() {}

    /// Registers `handler` for its kind (replacing any earlier one), with optional per-kind settings.
    public mutating func register<H: JobHandler>(_ handler: H, settings: KindSettings = KindSettings()) {
        handlers[handler.kind] = AnyJobHandler(handler)
        self.settings[handler.kind] = settings
    }

    /// The kinds registered, sorted.
    public var kinds: [String] { handlers.keys.sorted() }

    func handler(for kind: String) -> AnyJobHandler? { handlers[kind] }
    func settings(for kind: String) -> KindSettings { settings[kind] ?? KindSettings() }
}
