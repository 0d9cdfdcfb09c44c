import Foundation
import Spool

/// Settings of the `spool.webhook` handler: the named endpoints, whether jobs may name a URL of their own,
/// and the default limits.
///
/// Read from the `handlers.webhook` section of `jobs/spool.yaml`:
///
/// ```yaml
/// handlers:
///   webhook:
///     allow_ad_hoc_urls: false        # jobs may give `url` instead of `endpoint` (default false)
///     ad_hoc_allow_private: false     # ad-hoc URLs may reach private/loopback addresses (default false)
///     ad_hoc_allowed_networks: []     # CIDR blocks ad-hoc URLs may reach anyway
///     timeout: 30s                    # default total timeout (seconds, or 500ms / 30s / 2m)
///     connect_timeout: 10s            # default connect timeout
///     rate_limit_wait: 30s            # wait after a 429 without Retry-After
///     endpoints:
///       - name: billing
///         url: https://billing.example.com/hooks
///         secrets: [env:BILLING_WEBHOOK_SECRET, file:/etc/spool/billing.old]   # references only
///         headers: {x-team: payments}
///         timeout: 10s
///         connect_timeout: 3s
///         events: [invoice.paid, invoice.*]                                  # empty: all
///         allow_private: false                                               # explicit opt-in
///         allowed_networks: [10.1.0.0/16]
/// ```
public struct WebhookConfiguration: Sendable {
    /// Endpoints by name.
    public var endpoints: [String: WebhookEndpoint]
    /// Jobs may give an absolute `url` (and a secret reference) instead of an endpoint name. Off by default.
    public var allowAdHocURLs: Bool
    /// What ad-hoc URLs may connect to; public addresses only by default.
    public var adHocSSRFPolicy: SSRFPolicy
    /// Total timeout of ad-hoc deliveries and endpoints without their own.
    public var defaultTimeout: Duration
    /// Connect timeout of ad-hoc deliveries and endpoints without their own.
    public var defaultConnectTimeout: Duration
    /// How long to wait after a 429 that gave no Retry-After.
    public var rateLimitWait: Duration

    /// A configuration; by default no endpoints, no ad-hoc URLs, 30 s total and 10 s connect timeouts.
    public init(endpoints: [WebhookEndpoint] = [], allowAdHocURLs: Bool = false, adHocSSRFPolicy: SSRFPolicy = .publicOnly,
                defaultTimeout: Duration = .seconds(30), defaultConnectTimeout: Duration = .seconds(10),
                rateLimitWait: Duration = .seconds(30)) {
        self.endpoints = Dictionary(endpoints.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.allowAdHocURLs = allowAdHocURLs
        self.adHocSSRFPolicy = adHocSSRFPolicy
        self.defaultTimeout = defaultTimeout
        self.defaultConnectTimeout = defaultConnectTimeout
        self.rateLimitWait = rateLimitWait
    }

    private static let topKeys: Set<String> = [
        "allow_ad_hoc_urls", "ad_hoc_allow_private", "ad_hoc_allowed_networks", "timeout", "connect_timeout",
        "rate_limit_wait", "endpoints",
    ]
    /// Header fields the handler sets; extra headers may not replace them.
    static let reservedHeaders: Set<String> = [
        "webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "content-length", "host", "transfer-encoding",
    ]
    private static let endpointKeys: Set<String> = [
        "name", "url", "secrets", "headers", "timeout", "connect_timeout", "events", "allow_private", "allowed_networks",
    ]

    /// Parses the YAML-decoded section `key` (e.g. `handlers.webhook`) of `file`. Unknown keys, wrong types,
    /// duplicate endpoint names, non-HTTP URLs, bad durations or CIDR blocks, and literal secrets (anything that
    /// is not `env:`, `file:` or `credential:`) throw `WebhookConfigurationError.invalid` naming the key.
    /// Secrets are not read here; `WebhookHandler` reads them when it is created.
    public init(dictionary: [String: Any], file: String, key: String) throws(WebhookConfigurationError) {
        let reader = ConfigReader<WebhookConfigurationError>(file: file)
        try reader.rejectUnknown(dictionary, allowed: Self.topKeys, at: key)
        let defaultTimeout = try reader.duration(dictionary["timeout"], at: key + ".timeout") ?? .seconds(30)
        let defaultConnect = try reader.duration(dictionary["connect_timeout"], at: key + ".connect_timeout") ?? .seconds(10)
        let rateLimitWait = try reader.duration(dictionary["rate_limit_wait"], at: key + ".rate_limit_wait") ?? .seconds(30)
        let allowAdHoc = try reader.bool(dictionary["allow_ad_hoc_urls"], at: key + ".allow_ad_hoc_urls") ?? false
        let adHocPolicy = try reader.policy(allowPrivate: dictionary["ad_hoc_allow_private"], networks: dictionary["ad_hoc_allowed_networks"],
                                            at: key, privateKey: "ad_hoc_allow_private", networksKey: "ad_hoc_allowed_networks")
        var endpoints: [WebhookEndpoint] = []
        var seen: Set<String> = []
        for (index, item) in try reader.list(dictionary["endpoints"], at: key + ".endpoints").enumerated() {
            let at = "\(key).endpoints[\(index)]"
            guard let entry = item as? [String: Any] else {
                throw reader.invalid(at, "expected a mapping with name, url, secrets, … — write each endpoint as `- name: …`")
            }
            try reader.rejectUnknown(entry, allowed: Self.endpointKeys, at: at)
            guard let name = try reader.string(entry["name"], at: at + ".name"), !name.isEmpty else {
                throw reader.invalid(at + ".name", "missing — give every endpoint a name jobs can use")
            }
            guard seen.insert(name).inserted else {
                throw reader.invalid(at + ".name", "endpoint \"\(name)\" is defined twice — names must be unique")
            }
            guard let url = try reader.string(entry["url"], at: at + ".url") else {
                throw reader.invalid(at + ".url", "missing — give the endpoint's http:// or https:// URL")
            }
            do { _ = try RequestTarget.parse(url) } catch {
                throw reader.invalid(at + ".url", "\"\(url)\" is not a usable URL (\(error.description))")
            }
            var secrets: [SecretReference] = []
            for (secretIndex, value) in try reader.list(entry["secrets"], at: at + ".secrets").enumerated() {
                let secretKey = "\(at).secrets[\(secretIndex)]"
                guard let text = value as? String else { throw reader.invalid(secretKey, "expected a string like env:NAME") }
                guard let reference = SecretReference(text) else {
                    throw reader.invalid(secretKey, "not a secret reference — write env:NAME, file:/path or credential:NAME; never the secret itself")
                }
                secrets.append(reference)
            }
            var headers = HTTPHeaders()
            if let raw = entry["headers"] {
                guard let mapping = raw as? [String: Any] else { throw reader.invalid(at + ".headers", "expected a mapping of header name to value") }
                for name in mapping.keys.sorted() {
                    guard let value = try reader.scalarText(mapping[name], at: "\(at).headers.\(name)") else { continue }
                    guard !name.isEmpty, name.utf8.allSatisfy(HTTPRequest.isTokenByte) else {
                        throw reader.invalid("\(at).headers.\(name)", "\"\(name)\" is not a valid header name — use letters, digits and -")
                    }
                    guard !Self.reservedHeaders.contains(name.lowercased()) else {
                        throw reader.invalid("\(at).headers.\(name)", "\(name) is set by the webhook handler itself — remove it from headers")
                    }
                    guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                        throw reader.invalid("\(at).headers.\(name)", "the value contains a line break — put it on one line")
                    }
                    headers.add(name: name, value: value)
                }
            }
            let events = try reader.list(entry["events"], at: at + ".events").enumerated().map { (eventIndex, value) throws(WebhookConfigurationError) -> String in
                guard let text = value as? String, !text.isEmpty else {
                    throw reader.invalid("\(at).events[\(eventIndex)]", "expected an event type like invoice.paid")
                }
                return text
            }
            let policy = try reader.policy(allowPrivate: entry["allow_private"], networks: entry["allowed_networks"],
                                           at: at, privateKey: "allow_private", networksKey: "allowed_networks")
            endpoints.append(WebhookEndpoint(
                name: name, url: url, secrets: secrets, headers: headers,
                connectTimeout: try reader.duration(entry["connect_timeout"], at: at + ".connect_timeout") ?? defaultConnect,
                timeout: try reader.duration(entry["timeout"], at: at + ".timeout") ?? defaultTimeout,
                events: events, ssrfPolicy: policy))
        }
        self.init(endpoints: endpoints, allowAdHocURLs: allowAdHoc, adHocSSRFPolicy: adHocPolicy, defaultTimeout: defaultTimeout,
                  defaultConnectTimeout: defaultConnect, rateLimitWait: rateLimitWait)
    }
}
