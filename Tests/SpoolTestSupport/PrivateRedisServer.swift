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
        if let socket = LoopbackSocket(port: port) {
            let command = Array("*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n".utf8)
            _ = command.withUnsafeBytes { send(socket.fd, $0.baseAddress, command.count, Int32(MSG_NOSIGNAL)) }
            socket.close()
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

    private func canConnect() -> Bool { LoopbackSocket.isListening(port: port) }
}
