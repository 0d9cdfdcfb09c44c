import Logging
import Synchronization

/// HTTP clients, one per concurrent request: a worker thread takes one, sends (or downloads), and gives it
/// back, so each client's kept-alive connections are reused and no request waits for another. Used by the
/// webhook deliveries and the file handler's downloads.
final class HTTPClientPool: Sendable {
    private let idle = Mutex<[HTTPClient]>([])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Runs `body` with an idle client (a new one if none is idle) and returns the client afterwards.
    func withClient<T>(_ body: (HTTPClient) throws(HTTPClientError) -> T) throws(HTTPClientError) -> T {
        let client: HTTPClient
        if let reused = idle.withLock({ $0.popLast() }) {
            client = reused
        } else {
            client = try HTTPClient(logger: logger)
        }
        defer { idle.withLock { $0.append(client) } }
        return try body(client)
    }
}
