import Foundation

/// What a webhook delivery attempt means for the job: done, try again, or give up.
public enum WebhookOutcome: Sendable, Hashable {
    /// The endpoint accepted the webhook (2xx).
    case delivered
    /// Try again: after `after` when the endpoint said when (Retry-After), else after the job's backoff.
    /// `countsAsAttempt` is false for rate limiting (429), which must not use up the job's attempts.
    case retry(after: Duration?, countsAsAttempt: Bool)
    /// Do not try again. `disableEndpoint` is true when the endpoint said it is gone for good (410).
    case permanent(disableEndpoint: Bool, reason: String)

    /// Classifies a response or a failure to get one; see the two overloads for the rules.
    public static func classify(_ result: Result<HTTPResponse, HTTPClientError>, now: Date = Date()) -> WebhookOutcome {
        switch result {
        case .success(let response): return classify(response, now: now)
        case .failure(let error): return classify(error)
        }
    }

    /// 2xx: delivered. 429: retry, not counted, at Retry-After if given. 503: retry, counted, at Retry-After if
    /// given. 408, 425, other 5xx: retry with backoff. 410: permanent, disable the endpoint. 3xx (redirects are
    /// not followed) and other 4xx: permanent. Anything else: retry with backoff.
    /// Retry-After is read as seconds or an HTTP-date and capped at `RetryAfter.defaultCap` (24 h).
    public static func classify(_ response: HTTPResponse, now: Date = Date()) -> WebhookOutcome {
        let status = response.status
        let retryAfter = response.headers["Retry-After"].flatMap { RetryAfter.parse($0, now: now) }
        switch status {
        case 200...299:
            return .delivered
        case 429:
            return .retry(after: retryAfter, countsAsAttempt: false)
        case 503:
            return .retry(after: retryAfter, countsAsAttempt: true)
        case 408, 425, 500...599:
            return .retry(after: nil, countsAsAttempt: true)
        case 410:
            return .permanent(disableEndpoint: true, reason: "endpoint answered 410 Gone — it no longer accepts webhooks; the endpoint is disabled until someone re-enables it")
        case 300...399:
            let location = response.headers["Location"].map { " to \($0)" } ?? ""
            return .permanent(disableEndpoint: false, reason: "endpoint answered \(status) redirecting\(location); redirects are not followed — update the endpoint URL")
        case 400...499:
            return .permanent(disableEndpoint: false, reason: "endpoint answered \(status) — it rejected the request; fix the payload, the URL or the endpoint's configuration")
        default:
            return .retry(after: nil, countsAsAttempt: true)
        }
    }

    /// SSRF refusals and invalid requests: permanent (they cannot start working by themselves). Timeouts,
    /// refused or failed connections, DNS, TLS and transfer failures: retry with backoff, counted.
    public static func classify(_ error: HTTPClientError) -> WebhookOutcome {
        switch error {
        case .ssrfRefused, .invalidRequest:
            return .permanent(disableEndpoint: false, reason: error.description)
        default:
            return .retry(after: nil, countsAsAttempt: true)
        }
    }
}
