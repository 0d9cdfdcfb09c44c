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

/// A free TCP port on 127.0.0.1 (bound and released; good enough for tests on one machine).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSetupError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestSetupError("bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw TestSetupError("getsockname() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
