import Logging
import Synchronization

/// A blocking HTTP client (HTTP/1.1; HTTP/2 over TLS where libcurl has it) over one reused libcurl easy handle, so connections stay alive
/// between requests to the same host.
///
/// `send` blocks the calling thread until the exchange ends: call it from a thread Spool owns, never from
/// Swift's cooperative pool. One client serves one request at a time; concurrent callers wait their turn,
/// so give each worker thread its own client. Every connection is checked by the request's `SSRFPolicy`.
public final class HTTPClient: Sendable {
    private let easy: Mutex<CurlEasy>
    private let logger: Logger

    /// A client with its own libcurl handle; throws only if libcurl cannot be initialised.
    public init(logger: Logger = Logger(label: "spool.http")) throws(HTTPClientError) {
        easy = Mutex(try CurlEasy())
        self.logger = logger
    }

    /// Sends `request` and returns the response, whatever its status; throws only when no response came
    /// (invalid request, SSRF refusal, DNS, connect, TLS, timeout, transfer failure). A body longer than
    /// `maxResponseBytes` is cut there and the response marked `truncated`.
    public func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        let target = try RequestTarget.parse(request.url)
        try request.validate()
        let result = easy.withLock { easy in easy.perform(request, target: target) }
        switch result {
        case .success(let response):
            logger.debug("http request done", metadata: [
                "method": "\(request.method)", "host": "\(target.authority)", "status": "\(response.status)",
                "remote": "\(response.remoteAddress)", "time": "\(HTTPClientError.format(response.totalTime))",
                "truncated": "\(response.truncated)",
            ])
            return response
        case .failure(let error):
            logger.debug("http request failed", metadata: [
                "method": "\(request.method)", "host": "\(target.authority)", "error": "\(error)",
            ])
            throw error
        }
    }
}
