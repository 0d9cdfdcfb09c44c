import Foundation
import SpoolHandlers
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("HTTPClient against a real local server")
struct HTTPClientTests {
    /// Bytes that break naive C-string or text handling: NULs, CR/LF, non-ASCII UTF-8, every byte value.
    static let awkwardBody: [UInt8] = Array("{\"name\":\"Zoë ✓ 日本\"}".utf8) + [0, 0, 13, 10, 0xFF, 0x00, 0x7F] + (0...255).map { UInt8($0) }

    @Test func postsTheBodyByteForByteAndReturnsTheResponse() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/octet-stream")
            headers.add(name: "X-First", value: "1")
            headers.add(name: "X-Second", value: "two words")
            let response = try client.send(server.request("/echo", method: "POST", body: Self.awkwardBody, headers: headers))

            #expect(response.status == 200)
            #expect(response.body == Self.awkwardBody)
            #expect(!response.truncated)
            #expect(response.remoteAddress == "127.0.0.1")
            #expect(response.totalTime > .zero)
            #expect(response.headers["content-type"] == "application/octet-stream")
            #expect(response.headers["X-ECHO-METHOD"] == "POST")

            let recorded = try server.requests()
            #expect(recorded.count == 1)
            #expect(recorded.first?.method == "POST")
            #expect(recorded.first?.bodyBytes == Self.awkwardBody)
            #expect(recorded.first?.header("Content-Length") == String(Self.awkwardBody.count))
            #expect(recorded.first?.header("X-Second") == "two words")
            #expect(recorded.first?.header("Expect") == nil)
            let names = recorded.first?.headers.map { $0[0] } ?? []
            let first = names.firstIndex(of: "X-First")
            let second = names.firstIndex(of: "X-Second")
            #expect(first != nil && second != nil && (first ?? 0) < (second ?? 0))
        }
    }

    @Test func addsNoContentTypeOfItsOwnAndSendsOtherMethods() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            let body = Array("plain".utf8)
            let put = try client.send(server.request("/echo", method: "PUT", body: body))
            #expect(put.status == 200)
            #expect(put.headers["X-Echo-Method"] == "PUT")
            #expect(put.body == body)
            let delete = try client.send(server.request("/status/204", method: "DELETE"))
            #expect(delete.status == 204)
            let emptyPost = try client.send(server.request("/echo", method: "POST"))
            #expect(emptyPost.status == 200)
            #expect(emptyPost.body.isEmpty)

            let recorded = try server.requests()
            #expect(recorded.map(\.method) == ["PUT", "DELETE", "POST"])
            #expect(recorded.allSatisfy { $0.header("Content-Type") == nil })
            #expect(recorded.last?.header("Content-Length") == "0")
        }
    }

    @Test func reusesTheConnectionBetweenRequests() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            for _ in 0..<3 {
                #expect(try client.send(server.request("/status/200")).status == 200)
            }
            let ports = Set(try server.requests().map(\.client_port))
            #expect(ports.count == 1, "all three requests should share one keep-alive connection")
        }
    }

    @Test func capsTheBodyAtSixtyFourKiBWithoutFailing() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            let response = try client.send(server.request("/big/1000000"))
            #expect(response.status == 200)
            #expect(response.body.count == 64 * 1024)
            #expect(response.truncated)
            let expectedPrefix = (0..<(64 * 1024)).map { UInt8($0 % 256) }
            #expect(response.body == expectedPrefix)

            // The client stays usable after cutting a transfer short.
            let small = try client.send(server.request("/big/1000"))
            #expect(small.body.count == 1000)
            #expect(!small.truncated)

            var tiny = server.request("/big/5000")
            tiny.maxResponseBytes = 100
            let cut = try client.send(tiny)
            #expect(cut.body.count == 100)
            #expect(cut.truncated)

            var exact = server.request("/big/65536")
            exact.maxResponseBytes = 65536
            let whole = try client.send(exact)
            #expect(whole.body.count == 65536)
            #expect(!whole.truncated)
        }
    }

    @Test func doesNotFollowRedirectsByDefault() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            let response = try client.send(server.request("/redirect"))
            #expect(response.status == 302)
            #expect(response.headers["Location"] == "/status/200")
            #expect(try server.requests().map(\.path) == ["/redirect"])
        }
    }

    @Test func followsRedirectsWhenAsked() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            var request = server.request("/redirect")
            request.followRedirects = true
            let response = try client.send(request)
            #expect(response.status == 200)
            #expect(response.body == Array("status 200".utf8))
            #expect(response.url == server.url("/status/200"))
            #expect(try server.requests().map(\.path) == ["/redirect", "/status/200"])
        }
    }

    @Test func totalTimeoutIsReportedAsSuch() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            var request = server.request("/slow/2000")
            request.timeout = .milliseconds(300)
            let started = ContinuousClock.now
            let error = #expect(throws: HTTPClientError.self) { try client.send(request) }
            #expect(ContinuousClock.now - started < .milliseconds(1500))
            guard case .totalTimeout(let host, let after)? = error else {
                Issue.record("expected totalTimeout, got \(String(describing: error))")
                return
            }
            #expect(host == "127.0.0.1:\(server.port)")
            #expect(after == .milliseconds(300))
            #expect(error?.description.contains("did not finish answering within 300 ms") == true)
        }
    }

    @Test func connectTimeoutIsReportedAsSuch() throws {
        let (port, fds) = try saturatedListener()
        defer { fds.forEach { close($0) } }
        let client = try HTTPClient()
        let request = HTTPRequest(url: "http://127.0.0.1:\(port)/", connectTimeout: .milliseconds(300),
                                  timeout: .seconds(5), ssrfPolicy: TestServer.loopbackPolicy)
        let started = ContinuousClock.now
        let error = #expect(throws: HTTPClientError.self) { try client.send(request) }
        #expect(ContinuousClock.now - started < .milliseconds(2000))
        guard case .connectTimeout(let host, let after)? = error else {
            Issue.record("expected connectTimeout, got \(String(describing: error))")
            return
        }
        #expect(host == "127.0.0.1:\(port)")
        #expect(after == .milliseconds(300))
    }

    @Test func connectionRefusedOnAFreePort() throws {
        let port = try freeLoopbackPort()
        let client = try HTTPClient()
        let request = HTTPRequest(url: "http://127.0.0.1:\(port)/", ssrfPolicy: TestServer.loopbackPolicy)
        let error = #expect(throws: HTTPClientError.self) { try client.send(request) }
        #expect(error == .connectionRefused(host: "127.0.0.1:\(port)"))
        #expect(error?.description == "127.0.0.1:\(port) refused the connection — is the service running and listening on that port?")
    }

    @Test func rejectsInvalidRequestsBeforeSendingAnything() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            var badHeader = server.request("/status/200")
            badHeader.headers.add(name: "X-Injected", value: "a\r\nHost: evil")
            #expect(throws: HTTPClientError.self) { try client.send(badHeader) }

            var badMethod = server.request("/status/200")
            badMethod.method = "GET /x"
            #expect(throws: HTTPClientError.self) { try client.send(badMethod) }

            let ftp = HTTPRequest(url: "ftp://127.0.0.1:\(server.port)/file", ssrfPolicy: TestServer.loopbackPolicy)
            let error = #expect(throws: HTTPClientError.self) { try client.send(ftp) }
            guard case .invalidRequest(_, let reason)? = error else {
                Issue.record("expected invalidRequest, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("only http and https"))
            #expect(try server.requests().isEmpty)
        }
    }

    @Test func tlsFailureIsReportedAsTLS() throws {
        // A plain-HTTP server answering a TLS handshake makes the handshake fail.
        try withTestServer { server in
            let client = try HTTPClient()
            let request = HTTPRequest(url: "https://127.0.0.1:\(server.port)/status/200", connectTimeout: .seconds(5),
                                      timeout: .seconds(5), ssrfPolicy: TestServer.loopbackPolicy)
            let error = #expect(throws: HTTPClientError.self) { try client.send(request) }
            guard case .tls(let host, _)? = error else {
                Issue.record("expected tls, got \(String(describing: error))")
                return
            }
            #expect(host == "127.0.0.1:\(server.port)")
        }
    }

    @Test func oneClientIsSafeToShareAcrossThreads() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            let request = server.request("/status/200")
            let statuses = ManagedStatuses()
            let threads = (0..<4).map { _ in
                Thread {
                    for _ in 0..<5 {
                        statuses.append((try? client.send(request))?.status ?? -1)
                    }
                }
            }
            threads.forEach { $0.start() }
            let deadline = Date().addingTimeInterval(20)
            while statuses.count < 20, Date() < deadline { usleep(10_000) }
            #expect(statuses.values == Array(repeating: 200, count: 20))
        }
    }
}

/// A thread-safe list of statuses for the sharing test.
final class ManagedStatuses: Sendable {
    private let items = Mutex<[Int]>([])
    func append(_ status: Int) { items.withLock { $0.append(status) } }
    var count: Int { items.withLock { $0.count } }
    var values: [Int] { items.withLock { $0 } }
}
