import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One libcurl easy handle and its error buffer. Not copyable, so exactly one owner frees it; the owner
/// (`HTTPClient`) keeps it in a `Mutex`, so only one thread uses it at a time.
struct CurlEasy: ~Copyable {
    private var handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The SSRF policy the pooled connections were opened under.
    private var policy: SSRFPolicy?

    init() throws(HTTPClientError) {
        try CurlGlobal.ensureInitialized()
        guard let handle = curl_easy_init() else {
            throw .initializationFailed(reason: "curl_easy_init returned NULL (out of memory?)")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Runs one request to completion on the calling thread. With a `receiver`, the body of a 2xx response goes
    /// to it as it arrives (the returned response then has an empty body) and the receiver is polled while the
    /// transfer runs; a transfer the receiver stopped fails with whatever libcurl reports (the caller asks the
    /// receiver why).
    mutating func perform(_ request: HTTPRequest, target: RequestTarget,
                          receiver: TransferReceiver? = nil) -> Result<HTTPResponse, HTTPClientError> {
        // Live connections were checked against the policy in force when they were opened; a request under
        // another policy must not reuse them, so it gets a fresh handle (which closes them).
        if let policy, policy != request.ssrfPolicy {
            guard let fresh = curl_easy_init() else {
                return .failure(.initializationFailed(reason: "curl_easy_init returned NULL (out of memory?)"))
            }
            curl_easy_cleanup(handle)
            handle = fresh
        }
        policy = request.ssrfPolicy
        curl_easy_reset(handle)
        errorBuffer[0] = 0

        let context = TransferContext(maxBodyBytes: request.maxResponseBytes, policy: request.ssrfPolicy, curl: handle,
                                      receiver: receiver)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }

        if let failure = configure(request, context: context, headerList: &headerList) {
            return .failure(.transfer(host: target.authority, code: -1, reason: "libcurl rejected option \(failure) — is libcurl at least 7.85?"))
        }
        let code = withExtendedLifetime(context) { curl_easy_perform(handle) }

        var effective: UnsafeMutablePointer<CChar>?
        let effectiveURL = spool_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK
            ? effective.map { String(cString: $0) } ?? request.url
            : request.url
        let host = { (try? RequestTarget.parse(effectiveURL))?.authority ?? target.authority }
        if code == CURLE_OK || (code == CURLE_WRITE_ERROR && context.truncated) {
            let response = response(context: context, url: effectiveURL)
            // libcurl stops at Content-Length; a body that ends short of it without an error is still incomplete.
            if context.streaming, let announced = response.headers["Content-Length"].flatMap({ Int64($0) }),
               announced != context.streamedBytes {
                return .failure(.incompleteBody(host: host(), received: context.streamedBytes, expected: announced))
            }
            return .success(response)
        }
        return .failure(error(code, host: host(), request: request, context: context))
    }

    /// Sets every option for this request; returns the name of the first option libcurl refused, or nil.
    private func configure(
        _ request: HTTPRequest,
        context: TransferContext,
        headerList: inout UnsafeMutablePointer<curl_slist>?
    ) -> String? {
        let h = handle
        let userData = Unmanaged.passUnretained(context).toOpaque()
        var failed: String?
        func check(_ code: CURLcode, _ name: String) {
            if code != CURLE_OK, failed == nil { failed = name }
        }

        check(spool_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)), "ERRORBUFFER")
        check(spool_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        check(spool_curl_setopt_string(h, CURLOPT_URL, request.url), "URL")
        let protocols = request.allowHTTP ? "http,https" : "https"
        check(spool_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, protocols), "PROTOCOLS_STR")
        check(spool_curl_setopt_string(h, CURLOPT_REDIR_PROTOCOLS_STR, protocols), "REDIR_PROTOCOLS_STR")
        if let caFile = request.caFile {
            check(spool_curl_setopt_string(h, CURLOPT_CAINFO, caFile), "CAINFO")
        }
        // No proxy from the environment: the SSRF guard must see the real destination.
        check(spool_curl_setopt_string(h, CURLOPT_PROXY, ""), "PROXY")
        check(spool_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0), "FOLLOWLOCATION")
        check(spool_curl_setopt_long(h, CURLOPT_MAXREDIRS, request.maxRedirects), "MAXREDIRS")
        check(spool_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.curlMilliseconds), "CONNECTTIMEOUT_MS")
        check(spool_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds), "TIMEOUT_MS")
        check(spool_curl_setopt_string(h, CURLOPT_USERAGENT, "spool"), "USERAGENT")

        switch request.method {
        case "GET" where request.body.isEmpty:
            check(spool_curl_setopt_long(h, CURLOPT_HTTPGET, 1), "HTTPGET")
        case "HEAD":
            check(spool_curl_setopt_long(h, CURLOPT_NOBODY, 1), "NOBODY")
        default:
            if request.method == "POST" || !request.body.isEmpty {
                // Size first, so COPYPOSTFIELDS copies exactly these bytes (NULs included) and does not strlen.
                check(spool_curl_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)), "POSTFIELDSIZE_LARGE")
                let copied = request.body.withUnsafeBytes { raw -> CURLcode in
                    guard let base = raw.baseAddress else {
                        return spool_curl_setopt_string(h, CURLOPT_COPYPOSTFIELDS, "")
                    }
                    return spool_curl_setopt_pointer(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                }
                check(copied, "COPYPOSTFIELDS")
            }
            if request.method != "POST" {
                check(spool_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, request.method), "CUSTOMREQUEST")
            }
        }

        var lines: [String] = request.headers.map { field in
            field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
        }
        // A header with nothing after the colon removes one libcurl would add on its own.
        if !request.headers.contains("Expect") { lines.append("Expect:") }
        if !request.headers.contains("Content-Type") { lines.append("Content-Type:") }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                return "HTTPHEADER (out of memory)"
            }
            headerList = appended
        }
        check(spool_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")

        check(spool_curl_setopt_write_function(h) { data, size, count, userData in
            guard let userData else { return 0 }
            let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
            return context.receiveBody(data.map { UnsafeRawPointer($0) }, count: size * count)
        }, "WRITEFUNCTION")
        check(spool_curl_setopt_pointer(h, CURLOPT_WRITEDATA, userData), "WRITEDATA")
        check(spool_curl_setopt_header_function(h) { data, size, count, userData in
            guard let userData else { return 0 }
            let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
            return context.receiveHeaderLine(data.map { UnsafeRawPointer($0) }, count: size * count)
        }, "HEADERFUNCTION")
        check(spool_curl_setopt_pointer(h, CURLOPT_HEADERDATA, userData), "HEADERDATA")
        check(spool_curl_setopt_opensocket_function(h) { userData, _, address in
            guard let userData, let address else { return -1 }
            let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
            return context.openSocket(address)
        }, "OPENSOCKETFUNCTION")
        check(spool_curl_setopt_pointer(h, CURLOPT_OPENSOCKETDATA, userData), "OPENSOCKETDATA")
        if context.receiver != nil {
            // Called between pieces and about once a second while idle, so the receiver can stop a stalled transfer.
            check(spool_curl_setopt_xferinfo_function(h) { userData, _, _, _, _ in
                guard let userData else { return 1 }
                let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
                return context.poll() ? 0 : 1
            }, "XFERINFOFUNCTION")
            check(spool_curl_setopt_pointer(h, CURLOPT_XFERINFODATA, userData), "XFERINFODATA")
            check(spool_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0), "NOPROGRESS")
        }
        return failed
    }

    private func response(context: TransferContext, url: String) -> HTTPResponse {
        var status = 0
        _ = spool_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var ip: UnsafeMutablePointer<CChar>?
        _ = spool_curl_getinfo_string(handle, CURLINFO_PRIMARY_IP, &ip)
        var micros: curl_off_t = 0
        _ = spool_curl_getinfo_off(handle, CURLINFO_TOTAL_TIME_T, &micros)
        return HTTPResponse(
            status: status,
            headers: context.headers,
            body: context.body,
            truncated: context.truncated,
            remoteAddress: ip.map { String(cString: $0) } ?? "",
            url: url,
            totalTime: .microseconds(micros)
        )
    }

    private func error(_ code: CURLcode, host: String, request: HTTPRequest, context: TransferContext) -> HTTPClientError {
        let text = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            var connected: curl_off_t = 0
            let info = request.url.lowercased().hasPrefix("https:") ? CURLINFO_APPCONNECT_TIME_T : CURLINFO_CONNECT_TIME_T
            _ = spool_curl_getinfo_off(handle, info, &connected)
            if connected == 0 {
                return .connectTimeout(host: host, after: min(request.connectTimeout, request.timeout))
            }
            return .totalTimeout(host: host, after: request.timeout)
        case CURLE_COULDNT_CONNECT:
            if let refusal = context.refusals.first, context.permittedConnects == 0 {
                return .ssrfRefused(host: host, address: refusal.address.description, reason: refusal.description)
            }
            var osErrno = 0
            _ = spool_curl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
            if osErrno == Int(ECONNREFUSED) {
                return .connectionRefused(host: host)
            }
            return .connectFailed(host: host, reason: text)
        case CURLE_COULDNT_RESOLVE_HOST:
            return .dnsFailure(host: host, reason: text)
        case CURLE_TOO_MANY_REDIRECTS:
            return .redirectRefused(host: host, reason: "more than \(request.maxRedirects) redirects")
        case CURLE_UNSUPPORTED_PROTOCOL:
            // The URL itself was checked before; only a redirect can lead to a scheme this request refuses.
            return .redirectRefused(host: host, reason: "\(text) (this request allows \(request.allowHTTP ? "http and https" : "https only"))")
        case CURLE_PARTIAL_FILE where context.streaming, CURLE_RECV_ERROR where context.streaming:
            // The connection ended or broke inside a streamed body (over TLS, a cut reads as a receive error).
            var announced: curl_off_t = -1
            _ = spool_curl_getinfo_off(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced)
            return .incompleteBody(host: host, received: context.streamedBytes, expected: announced >= 0 ? Int64(announced) : nil)
        case CURLE_URL_MALFORMAT:
            return .invalidRequest(url: request.url, reason: text)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tls(host: host, reason: text)
        default:
            return .transfer(host: host, code: Int(code.rawValue), reason: text)
        }
    }
}
