/// One configured webhook receiver, addressed by name from job payloads.
public struct WebhookEndpoint: Sendable, Hashable {
    /// The name jobs use (`"billing"`).
    public var name: String
    /// The absolute `http://` or `https://` URL webhooks are POSTed to.
    public var url: String
    /// Signing secrets by reference; each yields one `v1,` signature (several during a rotation). Empty: unsigned.
    public var secrets: [SecretReference]
    /// Extra header fields sent with every delivery (after the Standard Webhooks ones).
    public var headers: HTTPHeaders
    /// Longest wait for the connection.
    public var connectTimeout: Duration
    /// Longest time for the whole exchange.
    public var timeout: Duration
    /// Event types this endpoint accepts; empty accepts every type. An entry ending in `.*` accepts a family
    /// (`invoice.*` accepts `invoice.paid`).
    public var events: [String]
    /// Which addresses the delivery may connect to; public addresses only unless the configuration opts in.
    public var ssrfPolicy: SSRFPolicy

    /// An endpoint; by default unsigned, 10 s to connect, 30 s in all, every event, public addresses only.
    public init(name: String, url: String, secrets: [SecretReference] = [], headers: HTTPHeaders = HTTPHeaders(),
                connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(30), events: [String] = [],
                ssrfPolicy: SSRFPolicy = .publicOnly) {
        self.name = name
        self.url = url
        self.secrets = secrets
        self.headers = headers
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.events = events
        self.ssrfPolicy = ssrfPolicy
    }

    /// True when `event` is one of `events`, matches a `prefix.*` entry, or `events` is empty.
    public func accepts(event: String) -> Bool {
        guard !events.isEmpty else { return true }
        return events.contains { accepted in
            if accepted == "*" || accepted == event { return true }
            if accepted.hasSuffix(".*") { return event.hasPrefix(String(accepted.dropLast())) }
            return false
        }
    }
}
