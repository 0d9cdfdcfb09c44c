import Foundation

/// A test could not set up what it needs (a server, a port, an environment variable).
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A free TCP port on 127.0.0.1 below 50000 (Redis Cluster needs port + 10000 free too), bound and released.
public func freeLoopbackPort() throws -> Int {
    for _ in 0..<200 {
        let candidate = Int.random(in: 20_000..<50_000)
        if canBind(port: candidate) && canBind(port: candidate + 10_000) { return candidate }
    }
    throw TestSetupError("no free loopback port found")
}

private func canBind(port: Int) -> Bool {
    guard let socket = LoopbackSocket(port: port, operation: bind) else { return false }
    socket.close()
    return true
}

/// A TCP socket on 127.0.0.1:`port` that `operation` (`bind` or `connect`) succeeded on; close it when done.
public struct LoopbackSocket {
    /// The file descriptor.
    public let fd: Int32

    /// Opens a socket and applies `operation` to 127.0.0.1:`port`; nil when either fails.
    public init?(port: Int, operation: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32 = connect) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { operation(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            return nil
        }
        self.fd = fd
    }

    /// Whether something accepts connections on 127.0.0.1:`port`.
    public static func isListening(port: Int) -> Bool {
        guard let socket = LoopbackSocket(port: port) else { return false }
        socket.close()
        return true
    }

    /// Closes the socket.
    public func close() { _ = Glibc.close(fd) }
}
