/// Everything that can stop `HTTPClient.send` from getting a response. Each message names the host and a fix.
///
/// A response with any status code is not an error; only the failure to get one is.
public enum HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request was malformed (URL, scheme, method, header, limit); nothing was sent.
    case invalidRequest(url: String, reason: String)
    /// libcurl could not be initialised.
    case initializationFailed(reason: String)
    /// No TCP/TLS connection within the connect timeout (or the total timeout, if that came first).
    case connectTimeout(host: String, after: Duration)
    /// Connected, but the whole exchange did not finish within the total timeout.
    case totalTimeout(host: String, after: Duration)
    /// The host answered the connection attempt with a refusal (nothing listens on that port).
    case connectionRefused(host: String)
    /// The connection failed for another reason (no route, network unreachable, …).
    case connectFailed(host: String, reason: String)
    /// The host name did not resolve.
    case dnsFailure(host: String, reason: String)
    /// The SSRF guard refused every address of the host; no connection was made.
    case ssrfRefused(host: String, address: String, reason: String)
    /// The TLS handshake or certificate check failed.
    case tls(host: String, reason: String)
    /// A redirect led somewhere this request may not follow (too many hops, or a scheme it does not allow).
    case redirectRefused(host: String, reason: String)
    /// A streamed body ended before the length the server announced (the connection was cut).
    case incompleteBody(host: String, received: Int64, expected: Int64?)
    /// Any other libcurl failure, with libcurl's code and text.
    case transfer(host: String, code: Int, reason: String)

    /// A one-line message for people: what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .invalidRequest(let url, let reason):
            return "invalid HTTP request to \(url): \(reason)"
        case .initializationFailed(let reason):
            return "libcurl could not be initialised: \(reason) — check that libcurl4 is installed and memory is available"
        case .connectTimeout(let host, let after):
            return "could not connect to \(host) within \(Self.format(after)) — is the host up and reachable, or is the connect timeout too short?"
        case .totalTimeout(let host, let after):
            return "\(host) did not finish answering within \(Self.format(after)) — the endpoint is slow; raise the timeout or make it answer sooner"
        case .connectionRefused(let host):
            return "\(host) refused the connection — is the service running and listening on that port?"
        case .connectFailed(let host, let reason):
            return "could not connect to \(host): \(reason) — check the address and the network path"
        case .dnsFailure(let host, let reason):
            return "could not resolve \(host): \(reason) — check the host name and the DNS configuration"
        case .ssrfRefused(let host, let address, let reason):
            return "refused to connect to \(host) at \(address): \(reason) (SSRF guard) — if this endpoint is meant to be internal, allow it in the SSRF policy (allowedNetworks / allowedHosts)"
        case .tls(let host, let reason):
            return "TLS with \(host) failed: \(reason) — check the server's certificate chain and host name"
        case .redirectRefused(let host, let reason):
            return "\(host) redirected where the request may not follow: \(reason) — use the final URL, or allow more redirects"
        case .incompleteBody(let host, let received, let expected):
            let of = expected.map { " of the \($0) announced" } ?? ""
            return "\(host) ended the body after \(received)\(of) bytes — the connection was cut; a retry fetches it again"
        case .transfer(let host, let code, let reason):
            return "HTTP request to \(host) failed (curl error \(code)): \(reason)"
        }
    }

    /// True for failures of the network path (timeouts, refused, unreachable, DNS, TLS, cut bodies, transfer
    /// errors): a later attempt may succeed. False for invalid requests, SSRF refusals and refused redirects,
    /// which stay wrong.
    public var isTransient: Bool {
        switch self {
        case .invalidRequest, .ssrfRefused, .initializationFailed, .redirectRefused: return false
        default: return true
        }
    }

    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        return "\(Double(milliseconds) / 1000) s"
    }
}
