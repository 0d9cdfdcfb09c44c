import CCurl

/// The parts of a request URL that the client checks and names in its messages, parsed by libcurl's own
/// URL parser so that they match what libcurl will connect to.
struct RequestTarget: Sendable, Hashable {
    /// `http` or `https`.
    let scheme: String
    /// The host as libcurl normalised it (`127.0.0.1` for `2130706433`, `[::1]` for IPv6).
    let host: String
    /// `host` or `host:port`, for messages.
    let authority: String
    /// The URL without user name, password, query and fragment: safe to log or record (those parts may carry
    /// credentials, such as a presigned URL's signature).
    let redactedURL: String

    /// Parses an absolute URL; throws unless it is well formed with an `http` or `https` scheme.
    static func parse(_ url: String) throws(HTTPClientError) -> RequestTarget {
        try CurlGlobal.ensureInitialized()
        guard let handle = curl_url() else {
            throw .initializationFailed(reason: "curl_url() returned NULL (out of memory?)")
        }
        defer { curl_url_cleanup(handle) }
        let code = curl_url_set(handle, CURLUPART_URL, url, 0)
        guard code == CURLUE_OK else {
            let reason = String(cString: curl_url_strerror(code))
            throw .invalidRequest(url: url, reason: "the URL does not parse (\(reason)) — give an absolute http:// or https:// URL")
        }
        let scheme = part(handle, CURLUPART_SCHEME)?.lowercased() ?? ""
        guard scheme == "http" || scheme == "https" else {
            throw .invalidRequest(url: url, reason: "scheme \"\(scheme)\" is not allowed — only http and https are")
        }
        guard let host = part(handle, CURLUPART_HOST), !host.isEmpty else {
            throw .invalidRequest(url: url, reason: "the URL has no host")
        }
        let authority = part(handle, CURLUPART_PORT).map { "\(host):\($0)" } ?? host
        return RequestTarget(scheme: scheme, host: host, authority: authority,
                             redactedURL: redacted(handle) ?? "\(scheme)://\(authority)")
    }

    /// `url` without user name, password, query and fragment, or nil if it does not parse.
    static func redact(_ url: String) -> String? {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        return redacted(handle)
    }

    private static func redacted(_ handle: OpaquePointer) -> String? {
        for secret in [CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_QUERY, CURLUPART_FRAGMENT] {
            guard curl_url_set(handle, secret, nil, 0) == CURLUE_OK else { return nil }
        }
        return part(handle, CURLUPART_URL)
    }

    /// The host part of `url`, or nil if it does not parse; used inside libcurl callbacks.
    static func host(of url: String) -> String? {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        return part(handle, CURLUPART_HOST)
    }

    private static func part(_ handle: OpaquePointer, _ which: CURLUPart) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, which, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}
