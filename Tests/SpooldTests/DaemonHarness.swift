import SpoolTestSupport
import Foundation
import Spool

/// Runs the built `spoold` binary against the test Redis with a configuration of the test's own.
struct DaemonHarness {
    let prefix: String
    let directory: URL
    let configPath: String
    let logPath: String
    let redisURL: String

    static func binary() throws -> String {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [here, here.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("spoold").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestSetupError("spoold binary not found next to \(here.path): build it first (swift build)")
    }

    static func redisURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_REDIS_URL"], !url.isEmpty else {
            throw TestSetupError("SPOOL_TEST_REDIS_URL is not set: run the tests with scripts/test, which starts a throwaway Redis")
        }
        return url
    }

    init(_ label: String, yaml: String, redisURL: String? = nil) throws {
        prefix = "test-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        let base = ProcessInfo.processInfo.environment["SPOOL_TEST_TMP"] ?? NSTemporaryDirectory()
        directory = URL(fileURLWithPath: base).appendingPathComponent(prefix)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("spool.yaml").path
        logPath = directory.appendingPathComponent("spoold.log").path
        self.redisURL = try redisURL ?? Self.redisURL()
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts spoold; its stderr goes to `logPath`.
    func start(extraEnvironment: [String: String] = [:]) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["SPOOL_REDIS_URL"] = redisURL
        environment["SPOOL_PREFIX"] = prefix
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        environment.removeValue(forKey: "WATCHDOG_USEC")
        for (key, value) in extraEnvironment { environment[key] = value }
        return try ChildProcess(try Self.binary(), ["--config", configPath], environment: environment, logFile: logPath)
    }

    func client() throws -> SpoolClient {
        SpoolClient(configuration: try RedisConfiguration(url: redisURL), prefix: prefix)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    static func eventually(_ limit: Duration = .seconds(20), _ condition: () throws -> Bool) rethrows -> Bool {
        try SpoolTestSupport.eventually(limit, condition)
    }
}
