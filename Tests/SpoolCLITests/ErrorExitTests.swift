import SpoolTestSupport
import Foundation
import Spool
import Testing

/// Exit codes and messages of failures: unreachable Redis, usage errors.
@Suite struct ErrorExitTests {
    /// A TCP port nothing listens on.
    static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestSetupError("socket() failed") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestSetupError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        guard named == 0 else { throw TestSetupError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func unreachableRedisExitsOneWithOneLine() throws {
        let port = try Self.freePort()
        for command in [["stats"], ["queues", "--json"], ["jobs", "q", "--state", "dead"], ["workers"]] {
            let result = try SpoolCLI.runRaw(command + ["--redis", "redis://127.0.0.1:\(port)", "--prefix", "unreachable"])
            #expect(result.exitCode == 1, "\(command): \(result)")
            #expect(result.stdout.isEmpty)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(result)")
            #expect(result.stderr.hasPrefix("cannot reach Redis at 127.0.0.1:\(port): connection refused"), "\(result)")
        }
    }

    @Test func usageErrorsExitTwo() throws {
        let cli = try SpoolCLI()
        defer { cli.cleanUp() }
        try cli.queue("q").enqueue(kind: "k", json: "{}")
        let cases: [[String]] = [
            ["purge", "q", "--state", "dead", "--older-than", "7x", "--yes"],
            ["purge", "q", "--state", "dead", "--older-than", "10", "--yes"],
            ["enqueue", "q", "k", "--delay", "soon"],
            ["jobs", "q"],
            ["jobs", "q", "--state", "ready", "--limit", "0"],
            ["job", "retry", "q"],
            ["nosuchcommand"],
            ["cron", "next", "not a cron"],
            ["cron", "next", "* * * * *", "--tz", "Mars/Olympus"],
        ]
        for command in cases {
            let result = try cli.run(command)
            #expect(result.exitCode == 2, "\(command): \(result)")
            #expect(!result.stderr.isEmpty)
        }
        let duration = try cli.run(["purge", "q", "--state", "dead", "--older-than", "7x", "--yes"])
        #expect(duration.stderr.contains("invalid duration \"7x\""), "\(duration)")
    }

    @Test func helpExitsZero() throws {
        let result = try SpoolCLI.runRaw(["stats", "--help"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("workersAlive"))
    }
}
