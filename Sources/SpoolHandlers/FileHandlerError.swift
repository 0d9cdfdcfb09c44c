/// Why a `spool.file` job (or a part of it) failed. Every case prints as one line naming the thing and the fix.
public enum FileHandlerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A path in the job leaves its root (`..`, an absolute path, or a symlink pointing outside).
    case pathEscapesRoot(path: String, root: String)
    /// A path in the job is empty, contains NUL, or names a directory where a file is needed.
    case invalidPath(path: String, problem: String)
    /// The source file does not exist under the source root.
    case sourceNotFound(path: String)
    /// The source cannot be used as given: a URL with a refused scheme, plain http when it is not allowed, URL
    /// sources when downloads are off, a URL that does not parse, or `move` of a URL (`source` is redacted).
    case invalidSource(source: String, problem: String)
    /// The server answered a URL source with a status other than 2xx (`url` is redacted; `excerpt` is the
    /// start of its answer). 408, 429 and 5xx may pass; other statuses stay.
    case httpStatus(url: String, status: Int, excerpt: String)
    /// A URL source could not be fetched (refused by the SSRF guard, network, TLS, timeout, cut body, …).
    case downloadFailed(url: String, error: HTTPClientError)
    /// The job's list of steps cannot run (unknown step, copy/move not last, output without a destination).
    case invalidSteps(String)
    /// The data at the `verify` step is larger than `max_bytes`.
    case tooLarge(limit: Int64, step: String)
    /// The content's type (from its bytes, never its name) is not in `allowed_types`.
    case typeNotAllowed(detected: String, allowed: [String])
    /// The data is not a valid gzip stream.
    case invalidGzip(String)
    /// The data is not valid RFC 4180 CSV (or not UTF-8); `row` is 1-based, counting the header.
    case invalidCSV(row: Int, problem: String)
    /// A system call failed (`operation` names it and the path).
    case io(operation: String, path: String, errno: Int32)
    /// zlib reported an internal error.
    case zlib(operation: String, code: Int32)
    /// The run was interrupted (cancelled, or a progress callback threw) before the output was renamed into place.
    case interrupted(String)

    /// Whether retrying the same job can help: false for bad input, bad paths and refused content (a body
    /// over `max_bytes` included); true for I/O trouble (disk full, transient errors), interruptions, and
    /// downloads that met a 408, 429 or 5xx, a network, TLS or timeout failure, or a cut connection.
    public var isPermanent: Bool {
        switch self {
        case .io, .interrupted: return false
        case .httpStatus(_, let status, _): return !Self.retryableStatus(status)
        case .downloadFailed(_, let error): return !error.isTransient
        default: return true
        }
    }

    /// 408 Request Timeout, 429 Too Many Requests and every 5xx: the server may answer differently later.
    static func retryableStatus(_ status: Int) -> Bool { status == 408 || status == 429 || (500...599).contains(status) }

    /// A one-line message for people: what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .pathEscapesRoot(let path, let root):
            return "path \"\(path)\" escapes its root \(root) — use a relative path without .. that stays inside the root (symlinks included)"
        case .invalidPath(let path, let problem):
            return "path \"\(path)\" is unusable: \(problem)"
        case .sourceNotFound(let path):
            return "source \"\(path)\" does not exist under the source root — check the job's source path"
        case .invalidSource(let source, let problem):
            return "source \"\(source)\" is unusable: \(problem)"
        case .httpStatus(let url, let status, let excerpt):
            let answer = excerpt.isEmpty ? "" : " (\(excerpt))"
            let hint: String
            switch status {
            case 404, 410: hint = "nothing is there; check the source URL"
            case 300...399: hint = "a redirect that was not followed; give the final URL or raise handlers.files.download.max_redirects"
            case _ where Self.retryableStatus(status): hint = "the server is busy or failing; the job retries"
            default: hint = "the server refused the request; check the URL and its access rules"
            }
            return "source \(url) answered \(status)\(answer) — \(hint)"
        case .downloadFailed(let url, let error):
            return "downloading \(url) failed: \(error.description)"
        case .invalidSteps(let problem):
            return "invalid steps: \(problem)"
        case .tooLarge(let limit, let step):
            return "data at step \(step) is larger than max_bytes (\(limit) bytes) — raise max_bytes or send a smaller file"
        case .typeNotAllowed(let detected, let allowed):
            return "content type \(detected) (detected from its bytes) is not allowed — allowed_types is [\(allowed.joined(separator: ", "))]"
        case .invalidGzip(let problem):
            return "not a valid gzip stream: \(problem)"
        case .invalidCSV(let row, let problem):
            return "invalid CSV at row \(row): \(problem)"
        case .io(let operation, let path, let code):
            return "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .zlib(let operation, let code):
            return "zlib \(operation) failed with code \(code)"
        case .interrupted(let why):
            return "interrupted before the output was committed: \(why) — a retry starts over"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
