import Logging
import Synchronization

/// A blocking HTTP client (HTTP/1.1; HTTP/2 over TLS where libcurl has it) over one reused libcurl easy handle, so connections stay alive
/// between requests to the same host.
///
/// `send` and `download` block the calling thread until the exchange ends: call them from a thread Spool
/// owns, never from Swift's cooperative pool. One client serves one request at a time; concurrent callers wait their turn,
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
        try request.validate(target)
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

    /// Sends `request` and streams the body of a 2xx final response into `sink` as it arrives, so memory stays
    /// flat whatever the size. Any other final response is returned like `send` returns it (body capped at
    /// `maxResponseBytes`); a 2xx comes back with an empty body once all of it went to the sink.
    ///
    /// Blocks like `send`, with the same SSRF checks on every connection (redirect hops included), the same
    /// timeouts and the same errors, plus ``HTTPClientError/incompleteBody(host:received:expected:)`` when the
    /// body ends short of its Content-Length. The sink sees only complete pieces in order; when it throws, the
    /// transfer stops and this throws ``HTTPDownloadError/sink(_:)``.
    public func download<Sink: HTTPBodySink>(_ request: HTTPRequest, into sink: Sink) throws(HTTPDownloadError<Sink.Failure>) -> HTTPResponse {
        let target: RequestTarget
        do {
            target = try RequestTarget.parse(request.url)
            try request.validate(target)
        } catch {
            throw .client(error)
        }
        let adapter = BodySinkAdapter(sink)
        let receiver = CallingThreadReceiver(receiver: adapter)
        let result = easy.withLock { easy in easy.perform(request, target: target, receiver: receiver.receiver) }
        if let failure = adapter.failure {
            logger.debug("http download stopped by its sink", metadata: ["host": "\(target.authority)", "error": "\(failure)"])
            throw .sink(failure)
        }
        switch result {
        case .success(let response):
            logger.debug("http download done", metadata: [
                "host": "\(target.authority)", "status": "\(response.status)", "remote": "\(response.remoteAddress)",
                "time": "\(HTTPClientError.format(response.totalTime))",
            ])
            return response
        case .failure(let error):
            logger.debug("http download failed", metadata: ["host": "\(target.authority)", "error": "\(error)"])
            throw .client(error)
        }
    }
}

/// Carries a receiver into the handle's lock. The receiver (and the caller's sink behind it) is used only on
/// the calling thread, during `perform`, and nothing keeps it afterwards; region checking cannot see that the
/// handle does not retain an argument, so this one type says it instead.
private struct CallingThreadReceiver: @unchecked Sendable {
    let receiver: TransferReceiver
}
