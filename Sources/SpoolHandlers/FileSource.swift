/// Where a `spool.file` job reads from: a path under the source root, or a URL.
///
/// A source that starts with a scheme and `://` (`https://…`, `ftp://…`) is a URL; anything else is a
/// relative path. Only `https` URLs are fetched, plus `http` when `download.allow_http` is on; other schemes,
/// and every URL when the handler has no `download` section, are refused.
enum FileSource: Sendable, Hashable {
    /// A path relative to the source root, as the job gave it.
    case path(String)
    /// An absolute URL to fetch with `settings`; `redacted` is the URL without user info, query and fragment
    /// (for the manifest and messages).
    case url(String, redacted: String, settings: FileDownloadConfiguration)

    /// Reads the job's `source`.
    ///
    /// - Throws: ``FileHandlerError/invalidSource(source:problem:)`` for a URL that may not be fetched.
    init(_ text: String, download: FileDownloadConfiguration?) throws(FileHandlerError) {
        guard let scheme = Self.scheme(of: text) else {
            self = .path(text)
            return
        }
        guard scheme == "https" || scheme == "http" else {
            throw .invalidSource(source: "\(scheme)://…", problem: "scheme \(scheme) is not supported — give a path under the source root or an https:// URL")
        }
        let redacted: String
        do {
            redacted = try RequestTarget.parse(text).redactedURL
        } catch {
            // A URL that does not parse cannot be redacted: name only its scheme.
            let reason: String
            if case .invalidRequest(_, let why) = error { reason = why } else { reason = error.description }
            throw .invalidSource(source: "\(scheme)://…", problem: reason)
        }
        guard let download else {
            throw .invalidSource(source: redacted, problem: "URL sources are off — add a handlers.files.download section (download: {} for the defaults)")
        }
        guard scheme == "https" || download.allowHTTP else {
            throw .invalidSource(source: redacted, problem: "plain http is not allowed — use https://, or set handlers.files.download.allow_http: true")
        }
        self = .url(text, redacted: redacted, settings: download)
    }

    /// The lower-cased scheme when `text` starts with `scheme://` (RFC 3986 scheme characters), else nil.
    static func scheme(of text: String) -> String? {
        guard let separator = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound]
        guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
              scheme.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) })
        else { return nil }
        return scheme.lowercased()
    }

    /// Whether this is a path under the source root.
    var isPath: Bool {
        if case .path = self { return true }
        return false
    }
}
