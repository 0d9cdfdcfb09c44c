/// Fetches a URL source into a pipeline, streaming: the body goes to the first stage in 64 KiB chunks as it
/// arrives (exactly the chunks a file source gives), so memory stays flat whatever the size.
///
/// Through an `HTTPClient`: the SSRF policy checks every connection (redirect hops included) before a byte is
/// sent, and the timeouts, CA file and http/https choice come from ``FileDownloadConfiguration``. Only a 2xx
/// body enters the pipeline; any other answer fails with ``FileHandlerError/httpStatus(url:status:excerpt:)``.
struct FileDownloader: Sendable {
    let configuration: FileDownloadConfiguration
    /// The most body bytes accepted (`max_bytes`).
    let maxBytes: Int64
    let clients: HTTPClientPool

    /// Downloads `url` into `stage` and finishes it; returns what came. `check` runs before each chunk and
    /// while the transfer waits (about once a second); throwing from it stops the transfer.
    func pump(_ url: String, redacted: String, into stage: FileStage,
              check: @escaping () throws(FileHandlerError) -> Void) throws(FileHandlerError) -> FileManifest.Download {
        let request = HTTPRequest(
            method: "GET", url: url, connectTimeout: configuration.connectTimeout, timeout: configuration.timeout,
            followRedirects: configuration.maxRedirects > 0, maxRedirects: configuration.maxRedirects,
            maxResponseBytes: FileDownloadConfiguration.errorBodyBytes, ssrfPolicy: configuration.ssrfPolicy,
            allowHTTP: configuration.allowHTTP, caFile: configuration.caFile)
        let sink = FileDownloadSink(stage: stage, maxBytes: maxBytes, check: check)
        let outcome: Result<HTTPResponse, HTTPDownloadError<FileHandlerError>>
        do throws(HTTPClientError) {
            outcome = try clients.withClient { (client) throws(HTTPClientError) in
                do throws(HTTPDownloadError<FileHandlerError>) {
                    return .success(try client.download(request, into: sink))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw .downloadFailed(url: redacted, error: error)
        }
        let response: HTTPResponse
        switch outcome {
        case .success(let answer): response = answer
        case .failure(.sink(let error)): throw error
        case .failure(.client(let error)): throw .downloadFailed(url: redacted, error: error)
        }
        let answered = RequestTarget.redact(response.url) ?? redacted
        guard response.isSuccess else {
            throw .httpStatus(url: answered, status: response.status, excerpt: response.bodyExcerpt(limit: 200))
        }
        try sink.finish()
        return FileManifest.Download(url: answered, status: response.status, bytes: sink.bytes, remoteAddress: response.remoteAddress)
    }
}

/// Cuts a streamed body into the pipeline's 64 KiB chunks and enforces `max_bytes` as bytes arrive (and from
/// Content-Length, before the first one).
final class FileDownloadSink: HTTPBodySink {
    private let stage: FileStage
    private let maxBytes: Int64
    private let check: () throws(FileHandlerError) -> Void
    private var buffer: [UInt8] = []
    /// Body bytes received so far.
    private(set) var bytes: Int64 = 0

    init(stage: FileStage, maxBytes: Int64, check: @escaping () throws(FileHandlerError) -> Void) {
        self.stage = stage
        self.maxBytes = maxBytes
        self.check = check
        buffer.reserveCapacity(fileChunkSize)
    }

    func begin(_ head: HTTPResponse) throws(FileHandlerError) {
        if let announced = head.headers["Content-Length"].flatMap({ Int64($0) }), announced > maxBytes {
            throw .tooLarge(limit: maxBytes, step: "download")
        }
    }

    func write(_ piece: UnsafeRawBufferPointer) throws(FileHandlerError) {
        bytes += Int64(piece.count)
        guard bytes <= maxBytes else { throw .tooLarge(limit: maxBytes, step: "download") }
        var offset = 0
        while offset < piece.count {
            let take = min(fileChunkSize - buffer.count, piece.count - offset)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: piece[offset..<(offset + take)]))
            offset += take
            if buffer.count == fileChunkSize { try flush() }
        }
    }

    func poll() throws(FileHandlerError) { try check() }

    /// The body is complete: passes on the last partial chunk and finishes the pipeline.
    func finish() throws(FileHandlerError) {
        if !buffer.isEmpty { try flush() }
        try stage.finish()
    }

    private func flush() throws(FileHandlerError) {
        try check()
        try stage.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
