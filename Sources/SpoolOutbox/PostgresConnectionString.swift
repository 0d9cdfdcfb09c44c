import CLibpq

/// A checked connection string: a `postgres://` / `postgresql://` URL or a `key=value` conninfo string.
///
/// Checked with libpq's own parser (`PQconninfoParse`, which connects nowhere) plus checks libpq leaves
/// until connect time (scheme, port numbers, timeouts), so a typo fails fast with a clear message.
struct PostgresConnectionString: Sendable {
    /// The string as given (may hold a password: never print it).
    let raw: String
    /// The string with any password masked, for messages.
    let redacted: String
    /// Extra `keyword=value` pairs appended after `raw` when the string does not set them itself.
    let defaults: [(String, String)]

    init(_ string: String, connectTimeout: Duration) throws(PostgresError) {
        let trimmed = string.trimmingSpaces
        redacted = Self.redact(trimmed)
        guard !trimmed.isEmpty else {
            throw .invalidConnectionString("", reason: "it is empty")
        }
        guard !trimmed.utf8.contains(0) else {
            throw .invalidConnectionString(redacted, reason: "it contains a NUL byte")
        }
        if let schemeEnd = trimmed.firstRange(of: "://") {
            let scheme = trimmed[..<schemeEnd.lowerBound]
            guard scheme == "postgres" || scheme == "postgresql" else {
                throw .invalidConnectionString(
                    redacted, reason: "unsupported scheme \"\(scheme)\" (only postgres:// and postgresql://)")
            }
        }
        let options = try Self.parse(trimmed, redacted: redacted)
        for port in (options["port"] ?? "").split(separator: ",", omittingEmptySubsequences: false)
        where !port.isEmpty {
            guard let number = Int(port), (1...65_535).contains(number) else {
                throw .invalidConnectionString(redacted, reason: "port \"\(port)\" is not a number from 1 to 65535")
            }
        }
        if let timeout = options["connect_timeout"], Int(timeout) == nil {
            throw .invalidConnectionString(redacted, reason: "connect_timeout \"\(timeout)\" is not a whole number of seconds")
        }
        var defaults: [(String, String)] = []
        if options["connect_timeout"] == nil {
            let (seconds, attoseconds) = connectTimeout.components
            // libpq counts whole seconds (and treats 1 as 2); round up so a short timeout never means "none".
            defaults.append(("connect_timeout", String(max(1, seconds + (attoseconds > 0 ? 1 : 0)))))
        }
        if options["client_encoding"] == nil {
            defaults.append(("client_encoding", "UTF8"))
        }
        if options["application_name"] == nil {
            defaults.append(("fallback_application_name", "spool"))
        }
        raw = trimmed
        self.defaults = defaults
    }

    /// The options libpq reads from `string`, keyword → value (only those given).
    private static func parse(_ string: String, redacted: String) throws(PostgresError) -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(string, &errorMessage) else {
            var reason = "libpq could not parse it"
            if let errorMessage {
                reason = firstLine(String(cString: errorMessage))
                PQfreemem(errorMessage)
            }
            throw .invalidConnectionString(redacted, reason: reason)
        }
        defer { PQconninfoFree(options) }
        var parsed: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                parsed[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        return parsed
    }

    /// Masks the password in a URL (`user:***@host`, `?password=***`) or conninfo (`password=***`).
    static func redact(_ string: String) -> String {
        var text = string
        if let schemeEnd = text.firstRange(of: "://") {
            let authorityStart = schemeEnd.upperBound
            let authorityEnd = text[authorityStart...].firstIndex { $0 == "/" || $0 == "?" } ?? text.endIndex
            if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@"),
                let colon = text[authorityStart..<at].firstIndex(of: ":")
            {
                text.replaceSubrange(text.index(after: colon)..<at, with: "***")
            }
        }
        // `password=secret` in a conninfo string or a URL query; a quoted value may hold spaces.
        var result = ""
        var rest = Substring(text)
        while let found = rest.caseInsensitiveRange(of: "password") {
            result += rest[..<found.upperBound]
            rest = rest[found.upperBound...]
            let afterSpaces = rest.drop { $0 == " " }
            guard afterSpaces.first == "=" else { continue }
            var value = afterSpaces.dropFirst().drop { $0 == " " }
            if value.first == "'" {
                value = value.dropFirst()
                var escaped = false
                while let character = value.first {
                    value = value.dropFirst()
                    if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "'" { break }
                }
            } else {
                value = value.drop { $0 != " " && $0 != "&" }
            }
            result += "=***"
            rest = value
        }
        return result + rest
    }

    static func firstLine(_ message: String) -> String {
        message.split(separator: "\n").first.map { String($0).trimmingSpaces } ?? ""
    }
}

extension Substring {
    /// The first range where `word` (ASCII, lower case) occurs, ignoring ASCII case.
    func caseInsensitiveRange(of word: String) -> Range<Index>? {
        let target = Array(word)
        var start = startIndex
        while start < endIndex {
            var cursor = start
            var matched = 0
            while matched < target.count, cursor < endIndex, self[cursor].lowercased() == String(target[matched]) {
                cursor = index(after: cursor)
                matched += 1
            }
            if matched == target.count { return start..<cursor }
            start = index(after: start)
        }
        return nil
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
