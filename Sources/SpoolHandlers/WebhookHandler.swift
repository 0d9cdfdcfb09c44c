import Foundation
import Logging
import Spool
import SpoolWorker

/// `spool.webhook`: POSTs a signed Standard Webhooks request to a configured endpoint (or, when allowed, an
/// ad-hoc URL) and turns the answer into the job's outcome.
///
/// Each attempt sends `content-type: application/json`, `webhook-id` (the payload's `id`, else the job id:
/// the same on every retry), `webhook-timestamp` (now), `webhook-signature` (one `v1,` signature per secret;
/// left out when unsigned), `user-agent: Spool-Webhook/1`, then the endpoint's extra headers. The body is
/// `WebhookPayload.bodyBytes`, identical on every attempt and exactly the bytes signed.
///
/// Outcomes (`WebhookOutcome.classify`): 2xx completes the job with `"<status> in <ms> ms: <200 bytes>"`;
/// 429 is rate limiting (`JobFailure.rateLimited`, at Retry-After or `rateLimitWait`, no attempt used);
/// 503 with Retry-After retries at that time; 408, 425, other 5xx and network failures retry with the
/// job's backoff; 410 is permanent and disables the endpoint (see `WebhookEndpointAdmin`), so later jobs to
/// it fail at once; 3xx (redirects are not followed), other 4xx, SSRF refusals, unknown endpoints, refused
/// ad-hoc URLs and event types the endpoint does not accept are permanent. Failure texts carry the status,
/// the latency and up to 500 characters of the response.
public struct WebhookHandler: JobHandler {
    /// The job payload.
    public typealias Payload = WebhookPayload

    /// `spool.webhook`.
    public let kind = "spool.webhook"
    /// The configuration in force.
    public let configuration: WebhookConfiguration
    /// The disabled-endpoint registry.
    public let admin: WebhookEndpointAdmin
    private let secrets: [String: [WebhookSecret]]
    private let environment: [String: String]
    private let clients: HTTPClientPool
    private let signer = WebhookSigner()

    /// The `user-agent` sent.
    public static let userAgent = "Spool-Webhook/1"
    /// Characters of the response kept in a failure message.
    public static let messageExcerpt = 500
    /// Bytes of the response kept in a success result.
    public static let resultExcerpt = 200

    /// A handler for `configuration`, keeping disabled endpoints in `client`'s Redis namespace.
    /// Reads every endpoint's secrets now (from `environment`, by default the process's), so a missing or
    /// malformed secret fails at start-up with `WebhookConfigurationError.secretUnavailable`, not at the first job.
    public init(configuration: WebhookConfiguration, client: SpoolClient,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "spool.webhook")) throws(WebhookConfigurationError) {
        var secrets: [String: [WebhookSecret]] = [:]
        for endpoint in configuration.endpoints.values.sorted(by: { $0.name < $1.name }) {
            var resolved: [WebhookSecret] = []
            for reference in endpoint.secrets {
                resolved.append(try reference.webhookSecret(endpoint: endpoint.name, environment: environment))
            }
            secrets[endpoint.name] = resolved
        }
        self.configuration = configuration
        self.secrets = secrets
        self.environment = environment
        admin = WebhookEndpointAdmin(client: client)
        clients = HTTPClientPool(logger: logger)
    }

    /// One delivery attempt; see the type's documentation for the outcome rules.
    public func perform(_ payload: WebhookPayload, context: JobContext) async throws -> String? {
        let target = try resolveTarget(payload)
        guard target.endpoint?.accepts(event: payload.event) ?? true else {
            let accepted = target.endpoint?.events.joined(separator: ", ") ?? ""
            throw JobFailure.permanent("webhook endpoint \"\(target.label)\" does not accept event type \"\(payload.event)\" (it accepts: \(accepted)) — add it to the endpoint's events or send another type")
        }
        if let name = target.endpoint?.name {
            let record: WebhookDisabledEndpoint?
            do { record = try admin.disabled(name) } catch {
                throw JobFailure.retry("cannot check whether webhook endpoint \"\(name)\" is disabled: \(error)")
            }
            if let record {
                throw JobFailure.permanent("webhook endpoint \"\(name)\" is disabled \(record.summary) — fix the receiver, then re-enable it (WebhookEndpointAdmin.enable)")
            }
        }

        let body = payload.bodyBytes
        let webhookID = payload.id ?? context.jobID
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(contentsOf: signer.headers(id: webhookID, timestamp: Int64(Date().timeIntervalSince1970), body: body, secrets: target.secrets))
        headers.add(name: "user-agent", value: Self.userAgent)
        for field in target.headers { headers.add(name: field.name, value: field.value) }
        let request = HTTPRequest(method: "POST", url: target.url, headers: headers, body: body,
                                  connectTimeout: target.connectTimeout, timeout: target.timeout,
                                  followRedirects: false, ssrfPolicy: target.ssrfPolicy)

        let started = ContinuousClock.now
        let result: Result<HTTPResponse, HTTPClientError>
        do { result = .success(try clients.withClient { (client) throws(HTTPClientError) in try client.send(request) }) } catch {
            result = .failure(error)
        }
        let elapsed = ContinuousClock.now - started
        let summary = Self.summary(result, target: target.label, elapsed: elapsed)
        context.logger.debug("webhook attempt: \(summary)", metadata: ["endpoint": "\(target.label)", "webhook-id": "\(webhookID)"])

        switch WebhookOutcome.classify(result) {
        case .delivered:
            if case .success(let response) = result {
                return "\(response.status) in \(Self.milliseconds(response.totalTime)) ms: \(response.bodyExcerpt(limit: Self.resultExcerpt))"
            }
            return summary
        case .retry(let after, let countsAsAttempt):
            if !countsAsAttempt {
                throw JobFailure.rateLimited(retryAfter: after ?? configuration.rateLimitWait, "rate limited: \(summary)")
            }
            if let after { throw JobFailure.retryAfter(after, summary) }
            throw JobFailure.retry(summary)
        case .permanent(let disable, let reason):
            if disable, let name = target.endpoint?.name {
                do { try admin.disable(name, reason: summary) } catch {
                    context.logger.error("could not mark webhook endpoint \(name) disabled: \(error)")
                }
                context.logger.warning("webhook endpoint \(name) disabled: \(summary)")
            }
            if case .success = result { throw JobFailure.permanent("\(summary) — \(reason)") }
            throw JobFailure.permanent(summary)
        }
    }

    /// Where one job's webhook goes and how.
    private struct Target {
        var endpoint: WebhookEndpoint?
        var label: String
        var url: String
        var secrets: [WebhookSecret]
        var headers: HTTPHeaders
        var connectTimeout: Duration
        var timeout: Duration
        var ssrfPolicy: SSRFPolicy
    }

    private func resolveTarget(_ payload: WebhookPayload) throws(JobFailure) -> Target {
        switch (payload.endpoint, payload.url) {
        case (let name?, nil):
            guard let endpoint = configuration.endpoints[name] else {
                let known = configuration.endpoints.keys.sorted().joined(separator: ", ")
                throw .permanent("no webhook endpoint named \"\(name)\" is configured (known: \(known.isEmpty ? "none" : known)) — add it under handlers.webhook.endpoints")
            }
            return Target(endpoint: endpoint, label: name, url: endpoint.url, secrets: secrets[name] ?? [],
                          headers: endpoint.headers, connectTimeout: endpoint.connectTimeout, timeout: endpoint.timeout,
                          ssrfPolicy: endpoint.ssrfPolicy)
        case (nil, let url?):
            guard configuration.allowAdHocURLs else {
                throw .permanent("ad-hoc webhook URLs are not allowed (\(url)) — name a configured endpoint, or set handlers.webhook.allow_ad_hoc_urls: true")
            }
            var secrets: [WebhookSecret] = []
            if let text = payload.secret {
                guard let reference = SecretReference(text) else {
                    throw .permanent("the webhook secret must be a reference (env:NAME or credential:NAME), not the secret itself")
                }
                if case .file = reference {
                    throw .permanent("ad-hoc webhook secrets may not be read from files (\(reference)) — use env:NAME or credential:NAME")
                }
                do { secrets = [try reference.webhookSecret(endpoint: url, environment: environment)] } catch {
                    throw .permanent(error.description)
                }
            }
            return Target(endpoint: nil, label: url, url: url, secrets: secrets, headers: HTTPHeaders(),
                          connectTimeout: configuration.defaultConnectTimeout, timeout: configuration.defaultTimeout,
                          ssrfPolicy: configuration.adHocSSRFPolicy)
        case (.some, .some):
            throw .permanent("a webhook job gives both endpoint and url — give one")
        case (nil, nil):
            throw .permanent("a webhook job needs endpoint (a configured name) or url")
        }
    }

    /// `"billing answered 500 in 12 ms: <excerpt>"` or `"billing: <network error> (after 500 ms)"`.
    static func summary(_ result: Result<HTTPResponse, HTTPClientError>, target: String, elapsed: Duration) -> String {
        switch result {
        case .success(let response):
            let more = response.truncated ? "…" : ""
            return "\(target) answered \(response.status) in \(milliseconds(response.totalTime)) ms: \(response.bodyExcerpt(limit: messageExcerpt))\(more)"
        case .failure(let error):
            return "\(target): \(error.description) (after \(milliseconds(elapsed)) ms)"
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
