import Foundation
import SpoolOutbox
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Connecting: URLs, conninfo strings and clear failures")
struct ConnectionTests {
    @Test("connects from a URL; the description names host:port/db and never the password")
    func redactedDescription() throws {
        let url = try TestDatabase.url()
        var components = try #require(URLComponents(string: url))
        components.password = "s3cret-pass"
        let withPassword = try #require(components.string)
        let db = try PostgresConnection(withPassword)  // trust auth ignores the password
        defer { db.close() }
        let expected = "\(components.host ?? ""):\(components.port ?? 5432)\(components.path)"
        #expect(db.server == expected)
        #expect(db.description == "PostgresConnection(\(expected))")
        #expect(!db.server.contains("s3cret"))
        #expect(try db.query("SELECT current_database()").string(0, 0) == "postgres")
    }

    @Test("connects from a key=value conninfo string with connect_timeout")
    func conninfo() throws {
        let components = try #require(URLComponents(string: try TestDatabase.url()))
        let host = try #require(components.host)
        let port = components.port ?? 5432
        let user = components.user ?? "postgres"
        let database = String(components.path.dropFirst())
        let db = try PostgresConnection("host=\(host) port=\(port) dbname=\(database) user=\(user) connect_timeout=3")
        defer { db.close() }
        #expect(db.server == "\(host):\(port)/\(database)")
        #expect(try db.query("SELECT current_setting('application_name')").string(0, 0) == "spool")
    }

    @Test(
        "bad connection strings fail before connecting, with a clear message",
        arguments: [
            ("mysql://user@127.0.0.1/db", "unsupported scheme \"mysql\""),
            ("postgres://user:hunter2@127.0.0.1:notaport/db", "port \"notaport\" is not a number"),
            ("postgresql://127.0.0.1:99999/db", "port \"99999\" is not a number from 1 to 65535"),
            ("", "it is empty"),
            ("just some words", "missing \"=\" after \"just\""),
            ("host=127.0.0.1 password=hunter2 port=abc", "port \"abc\" is not a number"),
            ("host=127.0.0.1 connect_timeout=soon", "connect_timeout \"soon\" is not a whole number"),
            ("postgres://127.0.0.1/db?bogus_option=1", "invalid URI query parameter"),
        ])
    func badStrings(string: String, expected: String) throws {
        let error = expectPostgresError { _ = try PostgresConnection(string) }
        guard case .invalidConnectionString? = error else {
            Issue.record("expected invalidConnectionString for \(string), got \(String(describing: error))")
            return
        }
        let text = error?.description ?? ""
        #expect(text.contains(expected), "\(text)")
        #expect(text.hasPrefix("invalid Postgres connection string"))
        #expect(!text.contains("hunter2"), "the password leaked: \(text)")
    }

    @Test("a port with nothing listening gives 'connection refused — is the server running?'")
    func refused() throws {
        let port = try TestDatabase.freePort()
        let error = expectPostgresError { _ = try PostgresConnection("postgres://postgres@127.0.0.1:\(port)/postgres") }
        guard case .connectionFailed(let server, let reason, _)? = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(server == "127.0.0.1:\(port)/postgres")
        #expect(reason == "connection refused")
        #expect(
            error?.description
                == "cannot connect to Postgres at 127.0.0.1:\(port)/postgres: connection refused — is the server running and listening on that address and port?"
        )
    }

    @Test("a server that never answers hits the connect timeout")
    func connectTimeout() throws {
        // A listening socket that never accepts: the TCP handshake succeeds, then nothing is said.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, generic, &length) == 0
            }
        }
        try #require(listening)
        let port = UInt16(bigEndian: address.sin_port)
        let start = ContinuousClock.now
        let error = expectPostgresError {
            _ = try PostgresConnection("postgres://postgres@127.0.0.1:\(port)/postgres", connectTimeout: .seconds(2))
        }
        let elapsed = ContinuousClock.now - start
        #expect(error?.description.contains("no answer before the connect timeout") == true, "\(String(describing: error))")
        #expect(elapsed >= .milliseconds(1500) && elapsed < .seconds(10), "took \(elapsed)")
    }
}
