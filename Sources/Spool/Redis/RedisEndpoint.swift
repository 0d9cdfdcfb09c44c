/// Where a Redis server is and how to log in to it, parsed from a `redis://` or `unix://` URL.
///
/// Accepted forms:
/// - `redis://[user:password@]host[:port][/db]` (port defaults to 6379, db to 0);
/// - `redis://:password@host` (password only, the classic `requirepass`);
/// - `unix:///path/to/redis.sock[?db=N][&password=P][&user=U]`.
/// Percent-escapes in user and password are decoded. The password never appears in `description`.
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The transport a connection uses.
    public enum Address: Sendable, Hashable {
        /// A TCP host name or address and port.
        case tcp(host: String, port: Int)
        /// A Unix domain socket path.
        case unix(path: String)
    }

    /// The server's address.
    public var address: Address
    /// The ACL user name (Redis 6+), or nil for the default user.
    public var user: String?
    /// The password, or nil when the server needs none.
    public var password: String?
    /// The logical database selected after connecting.
    public var database: Int

    /// Creates an endpoint from its parts.
    public init(address: Address, user: String? = nil, password: String? = nil, database: Int = 0) {
        self.address = address
        self.user = user
        self.password = password
        self.database = database
    }

    /// Parses a Redis URL; throws `RedisError.invalidURL` naming what is wrong.
    public init(url text: String) throws(RedisError) {
        let trimmed = text.trimmingWhitespace()
        func bad(_ why: String) -> RedisError { .invalidURL(url: Self.redact(trimmed), reason: why) }
        if let rest = trimmed.dropPrefix("unix://") {
            let (pathPart, query) = rest.splitOnce("?")
            guard pathPart.hasPrefix("/") else {
                throw bad("a unix socket URL needs an absolute path, as in unix:///run/redis/redis.sock")
            }
            var endpoint = RedisEndpoint(address: .unix(path: pathPart))
            for pair in (query ?? "").split(separator: "&") where !pair.isEmpty {
                let (key, value) = String(pair).splitOnce("=")
                guard let value else { throw bad("query parameter \"\(key)\" has no value") }
                switch key {
                case "db":
                    guard let db = Int(value), db >= 0 else { throw bad("db must be a number ≥ 0, not \"\(value)\"") }
                    endpoint.database = db
                case "password": endpoint.password = value.percentDecoded()
                case "user": endpoint.user = value.percentDecoded()
                default: throw bad("unknown query parameter \"\(key)\" (known: db, user, password)")
                }
            }
            self = endpoint
            return
        }
        guard let rest = trimmed.dropPrefix("redis://") else {
            if trimmed.hasPrefix("rediss://") {
                throw bad("TLS (rediss://) is not supported by the hiredis 0.14 client; use redis:// on a private network or a unix socket")
            }
            throw bad("expected redis://host[:port][/db] or unix:///path.sock")
        }
        var authority = rest
        var pathPart = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = String(rest[..<slash])
            pathPart = String(rest[rest.index(after: slash)...])
        }
        var user: String?
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let credentials = String(authority[..<at])
            authority = String(authority[authority.index(after: at)...])
            let (u, p) = credentials.splitOnce(":")
            if let p {
                user = u.isEmpty ? nil : u.percentDecoded()
                password = p.percentDecoded()
            } else {
                // `redis://password@host` is ambiguous; treat a lone value as the password like redis-cli does.
                password = u.percentDecoded()
            }
        }
        var host = authority
        var port = 6379
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw bad("unclosed [ in IPv6 address") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw bad("port must be a number 1–65535, not \"\(after.dropFirst())\"")
                }
                port = p
            } else if !after.isEmpty {
                throw bad("unexpected \"\(after)\" after the IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            let portText = authority[authority.index(after: colon)...]
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw bad("port must be a number 1–65535, not \"\(portText)\"")
            }
            port = p
        }
        guard !host.isEmpty else { throw bad("the host is missing") }
        var database = 0
        let (dbText, query) = pathPart.splitOnce("?")
        if !dbText.isEmpty {
            guard let db = Int(dbText), db >= 0 else { throw bad("database must be a number ≥ 0, not \"\(dbText)\"") }
            database = db
        }
        if let query, !query.isEmpty {
            for pair in query.split(separator: "&") {
                let (key, value) = String(pair).splitOnce("=")
                guard key == "db", let value, let db = Int(value), db >= 0 else {
                    throw bad("unsupported query \"\(pair)\" (only db=N)")
                }
                database = db
            }
        }
        self.init(address: .tcp(host: host, port: port), user: user, password: password, database: database)
    }

    /// `host:port` or the socket path: what error messages and logs name.
    public var serverName: String {
        switch address {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return path
        }
    }

    /// The URL without the password.
    public var description: String {
        let auth = user.map { "\($0)@" } ?? (password == nil ? "" : ":***@")
        switch address {
        case .tcp:
            return "redis://\(auth)\(serverName)" + (database == 0 ? "" : "/\(database)")
        case .unix(let path):
            return "unix://\(path)" + (database == 0 ? "" : "?db=\(database)")
        }
    }

    static func redact(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at else { return url }
        return String(url[..<scheme.upperBound]) + "***" + String(url[at...])
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }

    func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }

    /// Splits at the first `separator`: the part before, and the part after (nil when absent).
    func splitOnce(_ separator: Character) -> (String, String?) {
        guard let i = firstIndex(of: separator) else { return (self, nil) }
        return (String(self[..<i]), String(self[index(after: i)...]))
    }

    func percentDecoded() -> String {
        var out: [UInt8] = []
        var bytes = Array(utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2,
               let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
