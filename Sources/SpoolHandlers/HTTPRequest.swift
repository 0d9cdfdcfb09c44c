/// One HTTP request for `HTTPClient.send`: what to send, where, and within which limits.
public struct HTTPRequest: Sendable, Hashable {
    /// The method, upper case (`GET`, `POST`, …). Any RFC 9110 token is accepted.
    public var method: String
    /// An absolute `http://` or `https://` URL.
    public var url: String
    /// Header fields, sent in this order. libcurl adds `Host`, `Content-Length`, `User-Agent` (unless given)
    /// and `Accept: */*` (unless given); it adds no `Content-Type` and no `Expect: 100-continue`.
    public var headers: HTTPHeaders
    /// The body, sent byte for byte. Empty means no body (for POST: `Content-Length: 0`).
    public var body: [UInt8]
    /// Longest wait for the TCP (and TLS) connection; at least 1 ms.
    public var connectTimeout: Duration
    /// Longest time for the whole exchange, connect included; at least 1 ms.
    public var timeout: Duration
    /// Follow 3xx responses (each hop is checked by `ssrfPolicy`); off by default, so a 3xx is the answer.
    public var followRedirects: Bool
    /// Most hops followed when `followRedirects` is on.
    public var maxRedirects: Int
    /// Keep at most this many body bytes; past that the client stops reading, keeps what it has, and marks
    /// the response `truncated` (the request does not fail).
    public var maxResponseBytes: Int
    /// Which addresses the request may connect to; public addresses only by default.
    public var ssrfPolicy: SSRFPolicy
    /// Whether plain `http://` may be used, by the URL or by a redirect; false restricts both to `https://`.
    public var allowHTTP: Bool
    /// A PEM file of certificate authorities to trust for TLS instead of libcurl's default bundle file (the
    /// system's CA directory, `/etc/ssl/certs` on Debian, stays trusted); nil uses the defaults.
    public var caFile: String?

    /// A request; the defaults suit a webhook: 10 s to connect, 30 s in all, no redirects, 64 KiB of body kept.
    public init(
        method: String = "GET",
        url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(30),
        followRedirects: Bool = false,
        maxRedirects: Int = 5,
        maxResponseBytes: Int = 64 * 1024,
        ssrfPolicy: SSRFPolicy = .publicOnly,
        allowHTTP: Bool = true,
        caFile: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.followRedirects = followRedirects
        self.maxRedirects = maxRedirects
        self.maxResponseBytes = maxResponseBytes
        self.ssrfPolicy = ssrfPolicy
        self.allowHTTP = allowHTTP
        self.caFile = caFile
    }

    /// Checks what libcurl would otherwise send mangled or reject late: the scheme, the method, the header
    /// fields, the limits.
    func validate(_ target: RequestTarget) throws(HTTPClientError) {
        if !allowHTTP, target.scheme != "https" {
            throw .invalidRequest(url: target.redactedURL, reason: "plain http is not allowed for this request — use an https:// URL")
        }
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw .invalidRequest(url: url, reason: "method \"\(method)\" is not an HTTP token — use GET, POST, PUT, …")
        }
        if method == "HEAD", !body.isEmpty {
            throw .invalidRequest(url: url, reason: "a HEAD request cannot carry a body — drop the body or use POST")
        }
        for field in headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(Self.isTokenByte) else {
                throw .invalidRequest(url: url, reason: "header name \"\(field.name)\" is not an HTTP token — use letters, digits and -")
            }
            guard !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw .invalidRequest(url: url, reason: "header \(field.name) contains CR, LF or NUL — remove line breaks from the value")
            }
        }
        guard maxResponseBytes >= 0 else {
            throw .invalidRequest(url: url, reason: "maxResponseBytes is \(maxResponseBytes) — give 0 or more")
        }
        guard maxRedirects >= 0 else {
            throw .invalidRequest(url: url, reason: "maxRedirects is \(maxRedirects) — give 0 or more")
        }
        guard connectTimeout > .zero, timeout > .zero else {
            throw .invalidRequest(url: url, reason: "timeouts must be positive — give at least 1 ms")
        }
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up, at least 1, at most `Int.max`; libcurl reads 0 as "no timeout".
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds < Int64(Int.max / 1000) - 1 else { return Int.max }
        let fromAtto = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return max(1, Int(seconds) * 1000 + Int(fromAtto))
    }
}
