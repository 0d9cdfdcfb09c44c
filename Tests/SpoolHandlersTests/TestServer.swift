import Foundation
import SpoolHandlers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One request as the Python test server recorded it.
struct RecordedRequest: Decodable {
    let method: String
    let path: String
    let headers: [[String]]
    let body: String
    let client_port: Int
    /// Per secret given to the server: did the Standard Webhooks signature verify (computed in Python)?
    let signature_valid: [Bool]?
    /// When the request arrived (Unix seconds); absent in logs from older servers.
    let time: Double?

    var bodyBytes: [UInt8] { Data(base64Encoded: body).map { Array($0) } ?? [] }

    func header(_ name: String) -> String? {
        headers.first { $0.count == 2 && $0[0].lowercased() == name.lowercased() }?[1]
    }
}

struct TestServerError: Error, CustomStringConvertible {
    let description: String
}

/// A real HTTP server (Tests/SpoolHandlersTests/Fixtures/http_test_server.py) on 127.0.0.1, started with
/// posix_spawn (default signal mask and dispositions, so SIGTERM stops it) and stopped by its pid. With a
/// certificate it speaks HTTPS.
final class TestServer: Sendable {
    let pid: pid_t
    let port: Int
    let logPath: String
    /// One line per accepted TCP connection.
    let connectionLogPath: String
    /// `http` or `https`.
    let scheme: String

    /// The policy tests use: the default one plus 127.0.0.1 explicitly.
    static let loopbackPolicy: SSRFPolicy = {
        guard let network = IPNetwork("127.0.0.1/32") else { return SSRFPolicy(allowPrivate: true) }
        return SSRFPolicy(allowedNetworks: [network])
    }()

    private init(pid: pid_t, port: Int, logPath: String, scheme: String) {
        self.pid = pid
        self.port = port
        self.logPath = logPath
        connectionLogPath = logPath + ".connections"
        self.scheme = scheme
    }

    /// Starts a server; with `certificate` it serves HTTPS, with `filesDirectory` it serves that folder's
    /// files under `/files/` and `/flaky/`.
    static func start(secrets: [String] = [], certificate: TestCertificate? = nil, filesDirectory: String? = nil) throws -> TestServer {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/http_test_server.py").path
        let logPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("spool-http-\(UUID().uuidString).jsonl").path
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "/bin/python3"
        var arguments = [python, script, "--port", "0", "--log", logPath, "--connection-log", logPath + ".connections"]
        arguments += secrets.flatMap { ["--secret", $0] }
        if let certificate { arguments += ["--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath] }
        if let filesDirectory { arguments += ["--files-dir", filesDirectory] }
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }

        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw TestServerError(description: "pipe failed: errno \(errno)") }
        let (readFD, writeFD) = (pipeFDs[0], pipeFDs[1])
        _ = fcntl(readFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeFD, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, writeFD, 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArguments = arguments.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, python, &actions, &attributes, cArguments, cEnvironment)
        close(writeFD)
        defer { close(readFD) }
        guard spawned == 0 else { throw TestServerError(description: "posix_spawn \(python) failed: \(spawned)") }

        // The server prints its port on one line once it listens.
        var line: [UInt8] = []
        let deadline = Date().addingTimeInterval(15)
        while !line.contains(0x0A) {
            var pollFD = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard remaining > 0, poll(&pollFD, 1, remaining) > 0 else {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                throw TestServerError(description: "test server did not print its port within 15 s")
            }
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = read(readFD, &buffer, buffer.count)
            guard count > 0 else {
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                throw TestServerError(description: "test server exited before printing its port (status \(status))")
            }
            line.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(text) else {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            throw TestServerError(description: "test server printed \"\(text)\" instead of a port")
        }
        return TestServer(pid: pid, port: port, logPath: logPath, scheme: certificate == nil ? "http" : "https")
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        unlink(logPath)
        unlink(connectionLogPath)
    }

    func url(_ path: String) -> String { "\(scheme)://127.0.0.1:\(port)\(path)" }

    /// How many TCP connections the server accepted so far.
    func connectionCount() throws -> Int {
        try Data(contentsOf: URL(fileURLWithPath: connectionLogPath)).split(separator: 0x0A).filter { !$0.isEmpty }.count
    }

    func requests() throws -> [RecordedRequest] {
        let data = try Data(contentsOf: URL(fileURLWithPath: logPath))
        let decoder = JSONDecoder()
        return try data.split(separator: 0x0A).filter { !$0.isEmpty }.map {
            try decoder.decode(RecordedRequest.self, from: Data($0))
        }
    }

    /// A request to `path` on this server under the loopback-allowing policy.
    func request(_ path: String, method: String = "GET", body: [UInt8] = [], headers: HTTPHeaders = HTTPHeaders()) -> HTTPRequest {
        HTTPRequest(method: method, url: url(path), headers: headers, body: body, connectTimeout: .seconds(5),
                    timeout: .seconds(10), ssrfPolicy: TestServer.loopbackPolicy)
    }
}

/// Runs `body` with a fresh test server, stopping it afterwards whatever happens.
func withTestServer<T>(secrets: [String] = [], certificate: TestCertificate? = nil, filesDirectory: String? = nil,
                       _ body: (TestServer) throws -> T) throws -> T {
    let server = try TestServer.start(secrets: secrets, certificate: certificate, filesDirectory: filesDirectory)
    defer { server.stop() }
    return try body(server)
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, read, and released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestServerError(description: "socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    return try boundPort(fd, &address)
}

/// A listener on 127.0.0.1 whose accept queue is full, so a new connection attempt hangs until timeout.
/// Returns the port and the descriptors to close afterwards.
func saturatedListener() throws -> (port: Int, fds: [Int32]) {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard listener >= 0 else { throw TestServerError(description: "socket failed") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let port = try boundPort(listener, &address)
    guard listen(listener, 0) == 0 else { throw TestServerError(description: "listen failed") }
    var fds = [listener]
    var target = sockaddr_in()
    target.sin_family = sa_family_t(AF_INET)
    target.sin_addr.s_addr = inet_addr("127.0.0.1")
    target.sin_port = in_port_t(UInt16(port).bigEndian)
    for _ in 0..<3 {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        _ = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        fds.append(client)
    }
    usleep(100_000)
    return (port, fds)
}

private func boundPort(_ fd: Int32, _ address: inout sockaddr_in) throws -> Int {
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestServerError(description: "bind failed: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw TestServerError(description: "getsockname failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
