import Foundation
import Logging
import SpoolOutbox
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real Postgres the tests run against, from `SPOOL_TEST_DATABASE_URL`.
///
/// Missing variable → every test fails with ``Missing`` (never silently passes).
/// Locally: `./start-pg.sh`, then `SPOOL_TEST_DATABASE_URL=$(cat .pg-url) swift test --disable-xctest`.
enum TestDatabase {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "SPOOL_TEST_DATABASE_URL is not set — start a throwaway server with ./start-pg.sh and run"
                + " SPOOL_TEST_DATABASE_URL=$(cat .pg-url) swift test --disable-xctest"
        }
    }

    /// The server URL, or throws ``Missing``.
    static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_DATABASE_URL"], !url.isEmpty else {
            throw Missing()
        }
        return url
    }

    /// A new connection to the test server.
    static func connect(logger: Logger = quietLogger) throws -> PostgresConnection {
        try PostgresConnection(url(), logger: logger)
    }

    /// Logs warnings and worse only (tests drop schemas, whose cascade notices are noise).
    static var quietLogger: Logger {
        var logger = Logger(label: "spool.test")
        logger.logLevel = .warning
        return logger
    }

    /// A schema name no other test uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000_000)"
    }

    /// Runs `body` with a connection and a fresh schema (`spool_test_…`), dropped afterwards.
    static func withSchema<T>(_ body: (PostgresConnection, String) throws -> T) throws -> T {
        let connection = try connect()
        defer { connection.close() }
        let schema = uniqueName("spool_test")
        try connection.execute("CREATE SCHEMA \(schema)")
        defer { _ = try? connection.execute("DROP SCHEMA \(schema) CASCADE") }
        return try body(connection, schema)
    }

    /// A loopback TCP port that nothing listens on right now.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A swift-log handler that keeps messages in memory, to check what the connection logs.
struct CapturingLogHandler: LogHandler {
    final class Store: Sendable {
        let messages = Mutex<[(Logger.Level, String)]>([])
        var all: [(Logger.Level, String)] { messages.withLock { $0 } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.messages.withLock { $0.append((event.level, event.message.description)) }
    }

    /// A logger writing into a new store.
    static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "spool.test.capture") { _ in CapturingLogHandler(store: store) }, store)
    }
}

/// Expects `body` to throw a ``PostgresError`` and returns it.
func expectPostgresError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> PostgresError? {
    do {
        try body()
        Issue.record("expected a PostgresError, but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as PostgresError {
        return error
    } catch {
        Issue.record("expected a PostgresError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A value shared between threads in a test.
final class Shared<T: Sendable>: Sendable {
    let value: Mutex<T>
    init(_ initial: T) { value = Mutex(initial) }
}
