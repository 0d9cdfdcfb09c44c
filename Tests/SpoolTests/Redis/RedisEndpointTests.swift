import Spool
import Testing

@Suite("Redis URLs")
struct RedisEndpointTests {
    @Test("valid URLs parse into their parts", arguments: [
        ("redis://127.0.0.1", RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6379))),
        ("redis://localhost:6380", RedisEndpoint(address: .tcp(host: "localhost", port: 6380))),
        ("redis://localhost:6380/3", RedisEndpoint(address: .tcp(host: "localhost", port: 6380), database: 3)),
        ("redis://:s3cret@h:1/2", RedisEndpoint(address: .tcp(host: "h", port: 1), password: "s3cret", database: 2)),
        ("redis://app:p%40ss@h", RedisEndpoint(address: .tcp(host: "h", port: 6379), user: "app", password: "p@ss")),
        ("redis://[::1]:7000", RedisEndpoint(address: .tcp(host: "::1", port: 7000))),
        ("unix:///run/redis.sock", RedisEndpoint(address: .unix(path: "/run/redis.sock"))),
        ("unix:///run/redis.sock?db=4&password=x", RedisEndpoint(address: .unix(path: "/run/redis.sock"), password: "x", database: 4)),
    ])
    func parses(url: String, expected: RedisEndpoint) throws {
        #expect(try RedisEndpoint(url: url) == expected)
    }

    @Test("bad URLs say what is wrong", arguments: [
        ("http://localhost", "expected redis://host[:port][/db] or unix:///path.sock"),
        ("redis://localhost:0", "port must be a number 1–65535, not \"0\""),
        ("redis://localhost:abc", "port must be a number 1–65535, not \"abc\""),
        ("redis://localhost/x", "database must be a number ≥ 0, not \"x\""),
        ("redis://:6379", "the host is missing"),
        ("unix://relative.sock", "a unix socket URL needs an absolute path"),
        ("unix:///s.sock?db=-1", "db must be a number ≥ 0"),
        ("rediss://h", "TLS (rediss://) is not supported"),
    ])
    func rejects(url: String, fragment: String) {
        #expect {
            try RedisEndpoint(url: url)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("invalid Redis URL") && text.contains(fragment)
        }
    }

    @Test("descriptions never show the password")
    func redacts() throws {
        let endpoint = try RedisEndpoint(url: "redis://app:topsecret@h:1/2")
        #expect(!endpoint.description.contains("topsecret"))
        #expect(endpoint.description == "redis://app@h:1/2")
        #expect {
            try RedisEndpoint(url: "redis://app:topsecret@h:x")
        } throws: { !"\($0)".contains("topsecret") }
    }
}
