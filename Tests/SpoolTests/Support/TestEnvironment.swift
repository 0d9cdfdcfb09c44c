import SpoolTestSupport
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
