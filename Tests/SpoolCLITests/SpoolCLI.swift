import SpoolTestSupport
import Foundation
import Spool

/// What one run of the `spool` binary did.
struct CLIResult: CustomStringConvertible {
    /// The exit code (-1 when it did not exit normally).
    let exitCode: Int32
    /// Everything written to stdout.
    let stdout: String
    /// Everything written to stderr.
    let stderr: String

    var description: String { "exit \(exitCode)\nstdout: \(stdout)\nstderr: \(stderr)" }

    /// Stdout parsed as one JSON object.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw TestSetupError("stdout is not a JSON object: \(stdout)")
        }
        return object
    }
}

/// Runs the built `spool` binary against the test Redis, in a namespace of its own.
struct SpoolCLI: Sendable {
    /// The test Redis URL.
    let redisURL: String
    /// This test's key prefix.
    let prefix: String
    /// A library client on the same Redis and prefix, for setup and checks.
    let client: SpoolClient

    /// Reads SPOOL_TEST_REDIS_URL (a missing URL fails the test) and picks a fresh prefix.
    init() throws {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_REDIS_URL"], !url.isEmpty else {
            throw TestSetupError("SPOOL_TEST_REDIS_URL is not set; point it at a Redis the tests may use (source /tmp/devenv)")
        }
        redisURL = url
        prefix = "clitest-\(UUID().uuidString.prefix(8).lowercased())"
        client = try SpoolClient(url: url, prefix: prefix)
    }

    /// The `spool` binary next to the test runner in the build directory.
    static var binary: String {
        get throws {
            var candidates: [URL] = []
            let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            var directory = runner.deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(directory.appendingPathComponent("spool"))
                directory = directory.deletingLastPathComponent()
            }
            candidates.append(Bundle.main.bundleURL.appendingPathComponent("spool"))
            candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("spool"))
            for candidate in candidates {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   FileManager.default.isExecutableFile(atPath: candidate.path) {
                    return candidate.path
                }
            }
            throw TestSetupError("cannot find the spool binary near \(runner.path); build with --build-tests first")
        }
    }

    /// Runs `spool` with the global options for this test's Redis and prefix.
    func run(_ arguments: [String]) throws -> CLIResult {
        try Self.runRaw(arguments + ["--redis", redisURL, "--prefix", prefix])
    }

    /// Runs `spool` with exactly `arguments` (stdin is /dev/null, so not a terminal).
    static func runRaw(_ arguments: [String], environment: [String: String]? = nil) throws -> CLIResult {
        let base = NSTemporaryDirectory() + "spool-cli-\(UUID().uuidString)"
        let outPath = base + ".out"
        let errPath = base + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let child = try ChildProcess(try binary, arguments, environment: environment, logFile: outPath, errorFile: errPath)
        guard child.wait(timeout: .seconds(120)) != nil else {
            child.signal(SIGKILL)
            throw TestSetupError("spool \(arguments) did not finish within 120 s")
        }
        let out = FileManager.default.contents(atPath: outPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let err = FileManager.default.contents(atPath: errPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return CLIResult(exitCode: child.exitCode ?? -1, stdout: out, stderr: err)
    }

    /// Deletes every key of this test's namespace (call with `defer`).
    func cleanUp() {
        let pattern = RedisArgument(prefix + ":*")
        _ = try? client.withConnection { (redis) throws(RedisError) in
            var cursor = "0"
            repeat {
                let reply = try redis.command("SCAN", RedisArgument(cursor), "MATCH", pattern, "COUNT", 1000).array ?? []
                cursor = reply.first?.string ?? "0"
                let keys = (reply.count > 1 ? reply[1].array ?? [] : []).compactMap(\.string)
                if !keys.isEmpty { _ = try redis.command([RedisArgument("UNLINK")] + keys.map { RedisArgument($0) }) }
            } while cursor != "0"
        }
    }

    /// A queue handle in this test's namespace.
    func queue(_ name: String) throws -> Queue { try client.queue(name) }

    /// Puts `count` jobs of `kind` into the dead set of `queue`: enqueue in batches, fetch 1,000 at a time,
    /// fail each permanently. Returns their ids.
    func makeDead(_ count: Int, queue name: String, kind: String = "k") throws -> [String] {
        let queue = try queue(name)
        let jobs = try (0..<count).map { index in try NewJob(kind: kind, json: "{\"n\":\(index)}") }
        let ids = try queue.enqueue(jobs).map(\.id)
        var buried = 0
        while buried < count {
            let leased = try queue.fetch(count: min(1000, count - buried), tokenPrefix: "cli-test").jobs
            guard !leased.isEmpty else { throw TestSetupError("fetch returned nothing with \(count - buried) jobs left") }
            for job in leased { try queue.fail(job, error: "boom \(job.id)", disposition: .permanent) }
            buried += leased.count
        }
        return ids
    }
}
