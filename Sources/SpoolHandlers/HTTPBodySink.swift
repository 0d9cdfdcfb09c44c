/// Receives the body of a successful (2xx) response piece by piece, as `HTTPClient.download` reads it, so a
/// body of any size passes through constant memory.
///
/// All calls come on the thread that called `download`, in order. Throwing from any of them stops the
/// transfer at once; `download` then throws ``HTTPDownloadError/sink(_:)`` with that error.
public protocol HTTPBodySink: AnyObject {
    /// What the sink stops a download with.
    associatedtype Failure: Error

    /// The final response is a 2xx: `head` has its status, headers, URL and remote address (no body). Called
    /// once, before the first ``write(_:)``.
    func begin(_ head: HTTPResponse) throws(Failure)
    /// The next piece of the body. The bytes are valid only during the call.
    func write(_ bytes: UnsafeRawBufferPointer) throws(Failure)
    /// Called while the transfer runs — between pieces and about once a second while nothing arrives (also
    /// while connecting) — so the sink can stop it (cancellation, deadlines).
    func poll() throws(Failure)
}

/// Why `HTTPClient.download` did not complete: the client's failure, or the sink's.
public enum HTTPDownloadError<SinkFailure: Error>: Error {
    /// No complete response: the request was refused or invalid, the network failed, or the body was cut.
    case client(HTTPClientError)
    /// The sink threw; the transfer was stopped there.
    case sink(SinkFailure)
}

/// What `TransferContext` hands a streamed body to: an `HTTPBodySink` behind a non-generic face. Each call
/// returns false when the sink threw (the error is kept by the adapter).
protocol TransferReceiver: AnyObject {
    func begin(_ head: HTTPResponse) -> Bool
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool
    func poll() -> Bool
}

/// Adapts an `HTTPBodySink` to `TransferReceiver`, keeping the first error the sink threw.
final class BodySinkAdapter<Sink: HTTPBodySink>: TransferReceiver {
    private let sink: Sink
    /// The error that stopped the transfer, if the sink stopped it.
    private(set) var failure: Sink.Failure?

    init(_ sink: Sink) { self.sink = sink }

    func begin(_ head: HTTPResponse) -> Bool {
        run { () throws(Sink.Failure) in try sink.begin(head) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        run { () throws(Sink.Failure) in try sink.write(bytes) }
    }

    func poll() -> Bool {
        run { () throws(Sink.Failure) in try sink.poll() }
    }

    private func run(_ call: () throws(Sink.Failure) -> Void) -> Bool {
        guard failure == nil else { return false }
        do {
            try call()
            return true
        } catch {
            failure = error
            return false
        }
    }
}
