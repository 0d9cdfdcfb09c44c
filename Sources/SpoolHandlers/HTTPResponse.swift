/// What the server answered: the final response (after redirects, if followed).
public struct HTTPResponse: Sendable, Hashable {
    /// The status code (`200`, `302`, …).
    public var status: Int
    /// The response header fields of the final response, in order; look up by name in any case.
    public var headers: HTTPHeaders
    /// The body, at most `HTTPRequest.maxResponseBytes` bytes.
    public var body: [UInt8]
    /// True when the server sent more body than `maxResponseBytes` and the rest was not read.
    public var truncated: Bool
    /// The IP address actually connected to for the final response (`127.0.0.1`, `2001:db8::1`).
    public var remoteAddress: String
    /// The URL that answered (differs from the request's only when redirects were followed).
    public var url: String
    /// Time from the start of the request to the end of the transfer.
    public var totalTime: Duration

    /// A response; the client builds these, tests and classifiers may too.
    public init(
        status: Int,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        truncated: Bool = false,
        remoteAddress: String = "",
        url: String = "",
        totalTime: Duration = .zero
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.truncated = truncated
        self.remoteAddress = remoteAddress
        self.url = url
        self.totalTime = totalTime
    }

    /// True for 200–299.
    public var isSuccess: Bool { (200...299).contains(status) }

    /// At most `limit` characters of the body as text, on one line (for messages).
    func bodyExcerpt(limit: Int) -> String {
        let text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
        let flat = text.map { $0.isNewline ? " " : $0 }
        let cut = flat.prefix(limit)
        return String(cut) + (flat.count > limit ? "…" : "")
    }
}
