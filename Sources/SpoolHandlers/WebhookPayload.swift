/// The payload of a `spool.webhook` job.
///
/// ```json
/// {"endpoint": "billing", "event": "invoice.paid", "data": {"invoice": "in_123", "amount": 4200}}
/// ```
///
/// **The body sent** is built once from the payload and is the same bytes on every attempt: the object
/// `{"data":<data>,"type":<event>}` in canonical form (keys sorted, no whitespace; see `WebhookJSON`).
/// A producer that needs an exact body of its own gives `body` (a JSON text) instead; it is sent byte for byte.
/// Either way the signature covers exactly the bytes sent.
public struct WebhookPayload: Sendable, Hashable, Codable {
    /// The configured endpoint's name. Give this or `url`.
    public var endpoint: String?
    /// An absolute URL, only when the configuration allows ad-hoc URLs.
    public var url: String?
    /// With `url`: the signing secret as a reference (`env:NAME` or `credential:NAME`); absent means unsigned.
    public var secret: String?
    /// The event type (`invoice.paid`), checked against the endpoint's accepted events.
    public var event: String
    /// The event's data: any JSON.
    public var data: WebhookJSON?
    /// A JSON text to send as the body instead of the built one.
    public var body: String?
    /// The `webhook-id`; by default the job id, so it stays the same across retries (receivers deduplicate on it).
    public var id: String?

    /// A payload for a named endpoint.
    public init(endpoint: String, event: String, data: WebhookJSON = .object([:]), id: String? = nil) {
        self.endpoint = endpoint
        self.event = event
        self.data = data
        self.id = id
    }

    /// A payload for an ad-hoc URL, signed with `secret` (a reference) or unsigned.
    public init(url: String, secret: String? = nil, event: String, data: WebhookJSON = .object([:]), id: String? = nil) {
        self.url = url
        self.secret = secret
        self.event = event
        self.data = data
        self.id = id
    }

    /// The bytes to send and sign: `body` as given, or `{"data":…,"type":…}` in canonical form.
    public var bodyBytes: [UInt8] {
        if let body { return Array(body.utf8) }
        return WebhookJSON.object(["type": .string(event), "data": data ?? .null]).canonicalBytes
    }
}
