import Foundation

/// A redis-server of one test's own, for tests that stop, restart, stall or reconfigure the server.
public final class PrivateRedisServer: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    public let extraArguments: [String]
    private var process: ChildProcess?

    public var url: String { "redis://127.0.0.1:\(port)" }

    /// Starts a server on a free port with persistence off.
    public init(extraArguments: [String] = []) throws {
        port = try freeLoopbackPort()
        let base = ProcessInfo.processInfo.environment["SPOOL_TEST_TMP"] ?? NSTemporaryDirectory()
        directory = URL(fileURLWithPath: base).appendingPathComponent("redis-\(port)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.extraArguments = extraArguments
        try start()
    }

    deinit { stop() }

    public func start() throws {
        let binary = ProcessInfo.processInfo.environment["SPOOL_TEST_REDIS_SERVER"] ?? "/usr/bin/redis-server"
        let arguments = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no",
                         "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis.log").path]
            + extraArguments
        process = try ChildProcess(binary, arguments)
        // Wait until it accepts connections.
        for _ in 0..<250 {
            if canConnect() { return }
            usleep(20_000)
        }
        throw TestSetupError("private redis-server on port \(port) did not start; see \(directory.path)/redis.log")
    }

    /// Stops the server (SIGTERM, then waits; SIGKILL if it lingers).
    public func stop() {
        guard let process else { return }
        process.signal(SIGTERM)
        if process.wait(timeout: .seconds(10)) == nil {
            process.signal(SIGKILL)
            process.wait()
        }
        self.process = nil
    }

    /// Kills the server outright (SIGKILL), as a crash would.
    public func kill() {
        guard let process else { return }
        process.signal(SIGKILL)
        process.wait()
        self.process = nil
    }

    /// Restarts the server with its data: `SHUTDOWN SAVE` writes a snapshot the new process loads.
    public func restartKeepingData() throws {
        guard let process else { return }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if fd >= 0 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if connected == 0 {
                let command = Array("*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n".utf8)
                _ = command.withUnsafeBytes { send(fd, $0.baseAddress, command.count, Int32(MSG_NOSIGNAL)) }
            }
            close(fd)
        }
        if process.wait(timeout: .seconds(10)) == nil {
            process.signal(SIGKILL)
            process.wait()
        }
        self.process = nil
        try start()
    }

    public func restart() throws {
        stop()
        try start()
    }

    private func canConnect() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
