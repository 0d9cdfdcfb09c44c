import Foundation
import Spool
import Testing

/// What `scripts/test` hands the tests: server URLs and a scratch directory.
enum TestEnvironment {
    /// The shared throwaway Redis started by scripts/test. Fails the test when unset, never skips it.
    static func redisURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_REDIS_URL"], !url.isEmpty else {
            throw TestSetupError("SPOOL_TEST_REDIS_URL is not set: run the tests with scripts/test, which starts a throwaway Redis")
        }
        return url
    }

    /// The shared throwaway Postgres started by scripts/test.
    static func databaseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_DATABASE_URL"], !url.isEmpty else {
            throw TestSetupError("SPOOL_TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts a throwaway Postgres")
        }
        return url
    }

    /// A fresh directory for one test's files.
    static func scratchDirectory(_ name: String) throws -> URL {
        let base = ProcessInfo.processInfo.environment["SPOOL_TEST_TMP"] ?? NSTemporaryDirectory()
        let url = URL(fileURLWithPath: base).appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A key namespace no other test uses, so tests can share one Redis and run in parallel.
    static func uniqueNamespace(_ label: String = "t") -> String {
        "test-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A connection to the shared test Redis.
    static func redis(commandTimeout: Duration = .seconds(5)) throws -> RedisConnection {
        RedisConnection(configuration: try RedisConfiguration(url: redisURL(), commandTimeout: commandTimeout))
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A free TCP port on 127.0.0.1 below 50000 (Redis Cluster needs port + 10000 free too), bound and released.
func freeLoopbackPort() throws -> Int {
    for _ in 0..<200 {
        let candidate = Int.random(in: 20_000..<50_000)
        if canBind(port: candidate) && canBind(port: candidate + 10_000) { return candidate }
    }
    throw TestSetupError("no free loopback port found")
}

private func canBind(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}
