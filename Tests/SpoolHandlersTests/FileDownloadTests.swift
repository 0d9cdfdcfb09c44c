import Crypto
import Foundation
import SpoolHandlers
import SpoolTestSupport
import Testing

/// A file sandbox whose `served` folder an HTTPS test server (self-signed certificate, trusted through
/// `ca_file`) on 127.0.0.1 serves under `/files/` and `/flaky/`.
struct DownloadFixture {
    let sandbox: FileSandbox
    let served: String
    let certificate: TestCertificate

    init(_ label: String) throws {
        sandbox = try FileSandbox(label)
        served = sandbox.base + "/served"
        certificate = try TestCertificate.shared()
        try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
    }

    /// Puts `bytes` where the server serves them as `/files/<name>`.
    func serve(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: served + "/" + name))
    }

    /// Download settings for the test server: 127.0.0.1 allowed, the test CA trusted, short timeouts.
    func download(policy: SSRFPolicy = TestServer.loopbackPolicy, maxRedirects: Int = 5, trustCertificate: Bool = true,
                  allowHTTP: Bool = false) -> FileDownloadConfiguration {
        FileDownloadConfiguration(ssrfPolicy: policy, connectTimeout: .seconds(5), timeout: .seconds(60), maxRedirects: maxRedirects,
                                  caFile: trustCertificate ? certificate.certificatePath : nil, allowHTTP: allowHTTP)
    }

    func processor(_ download: FileDownloadConfiguration?, maxBytes: Int64 = 1 << 30,
                   allowed: Set<FileType> = Set(FileType.allCases)) -> FileProcessor {
        FileProcessor(configuration: FileHandlerConfiguration(sourceRoot: sandbox.source, destinationRoot: sandbox.destination,
                                                              maxBytes: maxBytes, allowedTypes: allowed, download: download))
    }

    /// Runs `job` and returns its manifest or its error.
    func run(_ processor: FileProcessor, _ job: FileJob, jobID: String = "job-1",
             progress: @escaping (Int64) throws -> Void = { _ in }) -> Result<FileManifest, FileHandlerError> {
        do { return .success(try processor.run(job, jobID: jobID, progress: progress)) } catch { return .failure(error) }
    }

    func remove() { sandbox.remove() }
}

/// Runs `body` with a fixture and an HTTPS server over its `served` folder, removing both afterwards.
func withDownloadFixture(_ label: String, _ body: (DownloadFixture, TestServer) throws -> Void) throws {
    let fixture = try DownloadFixture(label)
    defer { fixture.remove() }
    try withTestServer(certificate: fixture.certificate, filesDirectory: fixture.served) { server in try body(fixture, server) }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

@Suite("spool.file with https:// sources against a real TLS server on 127.0.0.1")
struct FileDownloadTests {
    /// CSV with quoted commas, doubled quotes, embedded CRLF and non-ASCII text, large enough (≈ 400 KiB) to
    /// span many 64 KiB chunks and TLS records.
    static let csv: [UInt8] = {
        var text = "id,name,note\r\n"
        for index in 0..<6000 {
            text += "\(index),\"Smith, Ann \(index)\",\"said \"\"hi\"\"\r\nthen Zoë ✓ left\"\r\n"
        }
        return Array(text.utf8)
    }()

    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    @Test("a CSV over https → verify → csv-to-jsonl → gzip → copy gives the bytes a local file gives; the manifest names the URL without secrets")
    func csvOverHTTPS() throws {
        try withDownloadFixture("https-csv") { fixture, server in
            try fixture.serve("users.csv", Self.csv)
            try fixture.sandbox.put("users.csv", Self.csv)
            let processor = fixture.processor(fixture.download(), allowed: [.csv])
            let steps: [FileStep] = [.verify, .checksum, .csvToJSONL, .gzip, .copy]

            let local = try processor.run(FileJob(source: "users.csv", steps: steps, destination: "local/users.jsonl.gz"), jobID: "local")
            let expected = try fixture.sandbox.output("local/users.jsonl.gz")

            let url = "https://reader:s3cret@127.0.0.1:\(server.port)/files/users.csv?token=abc123"
            let job = FileJob(source: url, steps: steps, destination: "remote/users.jsonl.gz")
            let manifest = try processor.run(job, jobID: "remote")
            #expect(try fixture.sandbox.output("remote/users.jsonl.gz") == expected)
            #expect(manifest.sha256 == local.sha256 && manifest.sha256 == Self.hex(expected))
            #expect(manifest.detectedType == "csv")
            #expect(manifest.steps.map(\.step) == ["verify", "checksum", "csv-to-jsonl", "gzip", "copy"])
            #expect(manifest.steps[1].sha256 == Self.hex(Self.csv))
            #expect(manifest.steps[2].rows == 6000)
            #expect(manifest.inputBytes == Int64(Self.csv.count))
            #expect(manifest.source == "https://127.0.0.1:\(server.port)/files/users.csv")
            #expect(manifest.download == FileManifest.Download(url: "https://127.0.0.1:\(server.port)/files/users.csv", status: 200,
                                                                bytes: Int64(Self.csv.count), remoteAddress: "127.0.0.1"))
            let written = try fixture.sandbox.output("remote/users.jsonl.gz.manifest.json")
            let text = String(decoding: written, as: UTF8.self)
            #expect(!text.contains("s3cret") && !text.contains("reader") && !text.contains("abc123"), "\(text)")
            #expect(try JSONDecoder().decode(FileManifest.self, from: Data(written)) == manifest)

            // The request carried the query; the user info became Basic credentials, as curl does.
            let recorded = try server.requests()
            #expect(recorded.map(\.path) == ["/files/users.csv?token=abc123"])
            #expect(recorded.first?.header("Authorization")?.hasPrefix("Basic ") == true)

            // The same job again (a retry): same name, same bytes.
            let again = try processor.run(job, jobID: "remote")
            #expect(again.sha256 == manifest.sha256)
            #expect(try fixture.sandbox.output("remote/users.jsonl.gz") == expected)

            // Through a redirect (each hop checked): the manifest records where the bytes came from.
            let redirected = try processor.run(
                FileJob(source: server.url("/redirect-to?url=/files/users.csv"), steps: steps, destination: "redirected.jsonl.gz"), jobID: "r")
            #expect(try fixture.sandbox.output("redirected.jsonl.gz") == expected)
            #expect(redirected.source == server.url("/redirect-to"))
            #expect(redirected.download?.url == server.url("/files/users.csv"))
            #expect(try fixture.sandbox.destinationListing() == ["local", "redirected.jsonl.gz", "redirected.jsonl.gz.manifest.json", "remote"])
        }
    }

    @Test("verify decides from the streamed bytes: a PNG served as report.csv with Content-Type text/csv is refused")
    func verifyIgnoresNameAndContentType() throws {
        try withDownloadFixture("https-verify") { fixture, server in
            try fixture.serve("report.csv", FileHandlerTests.pngHeader)
            let url = server.url("/files/report.csv?ct=text/csv")
            // The disguise is real: the server says text/csv.
            let head = try HTTPClient().send(HTTPRequest(url: url, ssrfPolicy: TestServer.loopbackPolicy, caFile: fixture.certificate.certificatePath))
            #expect(head.status == 200 && head.headers["Content-Type"] == "text/csv")

            let job = FileJob(source: url, steps: [.verify, .copy], destination: "report.csv")
            let refused = fixture.run(fixture.processor(fixture.download(), allowed: [.csv, .text]), job).failure
            #expect(refused == .typeNotAllowed(detected: "png", allowed: ["csv", "text"]))
            #expect(refused?.isPermanent == true)
            #expect(try fixture.sandbox.destinationListing().isEmpty)

            let accepted = try fixture.processor(fixture.download(), allowed: [.png]).run(job, jobID: "j2")
            #expect(accepted.detectedType == "png")
            #expect(try fixture.sandbox.output("report.csv") == FileHandlerTests.pngHeader)
        }
    }

    @Test("the default SSRF policy refuses 127.0.0.1 before connecting: the server sees no connection")
    func ssrfRefusesLoopback() throws {
        try withDownloadFixture("https-ssrf") { fixture, server in
            try fixture.serve("users.csv", Self.csv)
            let error = fixture.run(fixture.processor(fixture.download(policy: .publicOnly)),
                                    FileJob(source: server.url("/files/users.csv"), steps: [.copy], destination: "users.csv")).failure
            guard case .downloadFailed(let url, .ssrfRefused(_, let address, _))? = error else {
                Issue.record("expected an SSRF refusal, got \(String(describing: error))")
                return
            }
            #expect(url == server.url("/files/users.csv") && address == "127.0.0.1")
            #expect(error?.isPermanent == true)
            #expect(error?.description.contains("SSRF guard") == true)
            #expect(try server.connectionCount() == 0)
            #expect(try server.requests().isEmpty)
            #expect(try fixture.sandbox.destinationListing().isEmpty)
        }
    }

    @Test("redirects: each hop is checked (a hop to 127.0.0.2 is refused), hops are limited, and 0 hops makes a 3xx permanent")
    func redirectsAreChecked() throws {
        try withDownloadFixture("https-redirect") { fixture, server in
            try fixture.serve("users.csv", Self.csv)
            let processor = fixture.processor(fixture.download())
            let hop = "https://127.0.0.2:\(server.port)/files/users.csv"
            let privateHop = fixture.run(processor, FileJob(source: server.url("/redirect-to?url=\(hop)"), steps: [.copy], destination: "a.csv")).failure
            guard case .downloadFailed(_, .ssrfRefused(_, let address, _))? = privateHop else {
                Issue.record("expected an SSRF refusal of the second hop, got \(String(describing: privateHop))")
                return
            }
            #expect(address == "127.0.0.2" && privateHop?.isPermanent == true)
            #expect(try server.requests().map(\.path) == ["/redirect-to?url=\(hop)"])
            #expect(try server.connectionCount() == 1)

            let tooMany = fixture.run(fixture.processor(fixture.download(maxRedirects: 1)),
                                      FileJob(source: server.url("/redirect-to?url=%2Fredirect"), steps: [.copy], destination: "b.csv")).failure
            guard case .downloadFailed(_, .redirectRefused)? = tooMany else {
                Issue.record("expected too many redirects, got \(String(describing: tooMany))")
                return
            }
            #expect(tooMany?.isPermanent == true)

            let notFollowed = fixture.run(fixture.processor(fixture.download(maxRedirects: 0)),
                                          FileJob(source: server.url("/redirect"), steps: [.copy], destination: "c.csv")).failure
            guard case .httpStatus(_, 302, _)? = notFollowed else {
                Issue.record("expected the 302 itself, got \(String(describing: notFollowed))")
                return
            }
            #expect(notFollowed?.isPermanent == true)
            #expect(notFollowed?.description.contains("max_redirects") == true)
            #expect(try fixture.sandbox.destinationListing().isEmpty)
        }
    }

    @Test("http:// is refused unless allow_http (no connection made), and so is a redirect from https to http; other schemes never work")
    func schemes() throws {
        let fixture = try DownloadFixture("https-schemes")
        defer { fixture.remove() }
        try fixture.serve("a.csv", Self.csv)
        try withTestServer(filesDirectory: fixture.served) { plain in
            let url = plain.url("/files/a.csv")
            #expect(url.hasPrefix("http://"))
            let refused = fixture.run(fixture.processor(fixture.download()), FileJob(source: url, steps: [.copy], destination: "a.csv")).failure
            #expect(refused == .invalidSource(source: url, problem: "plain http is not allowed — use https://, or set handlers.files.download.allow_http: true"))
            #expect(refused?.isPermanent == true)
            #expect(try plain.connectionCount() == 0)

            let allowed = try fixture.processor(fixture.download(allowHTTP: true)).run(FileJob(source: url, steps: [.copy], destination: "a.csv"), jobID: "j")
            #expect(try fixture.sandbox.output("a.csv") == Self.csv && allowed.download?.status == 200)
            #expect(try plain.connectionCount() == 1)

            try withTestServer(certificate: fixture.certificate, filesDirectory: fixture.served) { secure in
                let downgrade = fixture.run(fixture.processor(fixture.download()),
                                            FileJob(source: secure.url("/redirect-to?url=\(url)"), steps: [.copy], destination: "b.csv")).failure
                guard case .downloadFailed(_, .redirectRefused)? = downgrade else {
                    Issue.record("expected the redirect to http to be refused, got \(String(describing: downgrade))")
                    return
                }
                #expect(downgrade?.isPermanent == true)
            }
            #expect(try plain.connectionCount() == 1, "the refused redirect never reached the plain server")
        }

        let download = fixture.download()
        let cases: [(String, FileDownloadConfiguration?, String)] = [
            ("ftp://127.0.0.1/a.csv", download, "source \"ftp://…\" is unusable: scheme ftp is not supported"),
            ("FILE:///etc/passwd", download, "source \"file://…\" is unusable: scheme file is not supported"),
            ("https://127.0.0.1:1/a.csv", nil, "source \"https://127.0.0.1:1/a.csv\" is unusable: URL sources are off"),
            ("https://exa mple.com/a.csv", download, "source \"https://…\" is unusable: the URL does not parse"),
        ]
        for (source, settings, message) in cases {
            let error = fixture.run(fixture.processor(settings), FileJob(source: source, steps: [.copy], destination: "x")).failure
            #expect(error?.description.hasPrefix(message) == true, "\(source): \(String(describing: error))")
            #expect(error?.isPermanent == true)
        }
        let move = fixture.run(fixture.processor(download), FileJob(source: "https://127.0.0.1:1/a.csv", steps: [.move], destination: "x")).failure
        #expect(move == .invalidSteps("move removes its source, which a URL cannot be — use copy"))
        // A relative path with a colon is still a path.
        try fixture.sandbox.put("a:b.csv", Array("x".utf8))
        #expect(try fixture.processor(nil).run(FileJob(source: "a:b.csv", steps: [.copy], destination: "ab.csv"), jobID: "j").inputBytes == 1)
    }

    @Test("404, 410, 403 and 400 fail permanently; 408, 429, 500 and 503 retry; nothing is written")
    func statusClassification() throws {
        try withDownloadFixture("https-status") { fixture, server in
            let processor = fixture.processor(fixture.download())
            for (status, permanent) in [(404, true), (410, true), (403, true), (400, true), (408, false), (429, false), (500, false), (503, false)] {
                let error = fixture.run(processor, FileJob(source: server.url("/status/\(status)"), steps: [.verify, .copy], destination: "s.csv")).failure
                #expect(error == .httpStatus(url: server.url("/status/\(status)"), status: status, excerpt: "status \(status)"), "\(status)")
                #expect(error?.isPermanent == permanent, "\(status)")
                #expect(error?.description.contains("answered \(status) (status \(status)) — ") == true)
                #expect(error?.description.contains("\n") == false)
            }
            let missing = fixture.run(processor, FileJob(source: server.url("/files/none.csv"), steps: [.copy], destination: "n.csv")).failure
            #expect(missing?.description.contains("answered 404 (no such file) — nothing is there; check the source URL") == true)
            let listing = try fixture.sandbox.destinationListing()
            #expect(listing.isEmpty)
        }
    }

    @Test("a connection cut mid-body leaves no output (retryable); the retry against the healthy server writes identical bytes")
    func cutConnection() throws {
        try withDownloadFixture("https-cut") { fixture, server in
            try fixture.serve("big.csv", Self.csv)
            try fixture.sandbox.put("big.csv", Self.csv)
            let processor = fixture.processor(fixture.download(), allowed: [.csv])
            let steps: [FileStep] = [.verify, .csvToJSONL, .gzip, .copy]
            _ = try processor.run(FileJob(source: "big.csv", steps: steps, destination: "reference.jsonl.gz"), jobID: "ref")
            let expected = try fixture.sandbox.output("reference.jsonl.gz")

            let job = FileJob(source: server.url("/flaky/big.csv"), steps: steps, destination: "big.jsonl.gz")
            let cut = fixture.run(processor, job, jobID: "job/9").failure
            guard case .downloadFailed(_, .incompleteBody(_, let received, let announced))? = cut else {
                Issue.record("expected an incomplete body, got \(String(describing: cut))")
                return
            }
            #expect(received < Int64(Self.csv.count) && announced == Int64(Self.csv.count))
            #expect(cut?.isPermanent == false)
            #expect(try fixture.sandbox.destinationListing() == ["reference.jsonl.gz", "reference.jsonl.gz.manifest.json"],
                    "neither the output nor its temporary file may remain")

            let retried = try processor.run(job, jobID: "job/9")
            #expect(try fixture.sandbox.output("big.jsonl.gz") == expected)
            #expect(retried.download?.bytes == Int64(Self.csv.count))
            #expect(try server.requests().count == 2)
        }
    }

    @Test("a body over max_bytes fails permanently and writes nothing: refused from Content-Length, and mid-stream when chunked")
    func sizeLimit() throws {
        try withDownloadFixture("https-limit") { fixture, server in
            let processor = fixture.processor(fixture.download(), maxBytes: 1 << 20)
            var written: Int64 = 0
            let announced = fixture.run(processor, FileJob(source: server.url("/big/4194304"), steps: [.copy], destination: "a.bin")) { written = $0 }.failure
            #expect(announced == .tooLarge(limit: 1 << 20, step: "download"))
            #expect(announced?.isPermanent == true)
            #expect(written == 0, "refused before any byte reached the output")

            let chunked = fixture.run(processor, FileJob(source: server.url("/chunked/4194304"), steps: [.copy], destination: "b.bin")) { written = $0 }.failure
            #expect(chunked == .tooLarge(limit: 1 << 20, step: "download"))
            #expect(written > 0 && written <= 1 << 20, "stopped mid-stream after \(written) bytes")
            #expect(try fixture.sandbox.destinationListing().isEmpty)

            // Under the limit, a chunked body arrives whole, re-cut into 64 KiB chunks across TLS records.
            let pattern = (0..<300_000).map { UInt8($0 % 256) }
            let whole = try processor.run(FileJob(source: server.url("/chunked/300000"), steps: [.checksum, .copy], destination: "c.bin"), jobID: "c")
            #expect(try fixture.sandbox.output("c.bin") == pattern)
            #expect(whole.steps[0].sha256 == Self.hex(pattern))
        }
    }

    @Test("cancellation stops a stalled download within about a second, with no output")
    func cancellationStopsStalledDownload() throws {
        try withDownloadFixture("https-cancel") { fixture, server in
            struct Cancelled: Error {}
            let started = ContinuousClock.now
            let error = fixture.run(fixture.processor(fixture.download()),
                                    FileJob(source: server.url("/stall/20000"), steps: [.copy], destination: "stalled.bin")) { _ in
                if ContinuousClock.now - started > .milliseconds(500) { throw Cancelled() }
            }.failure
            let elapsed = ContinuousClock.now - started
            guard case .interrupted? = error else {
                Issue.record("expected an interruption, got \(String(describing: error))")
                return
            }
            #expect(error?.isPermanent == false)
            #expect(elapsed < .seconds(5), "took \(elapsed)")
            let listing = try fixture.sandbox.destinationListing()
            #expect(listing.isEmpty)
        }
    }

    @Test("a certificate nobody trusts is a TLS failure that retries; no request is made")
    func untrustedCertificate() throws {
        try withDownloadFixture("https-untrusted") { fixture, server in
            try fixture.serve("a.csv", Self.csv)
            let error = fixture.run(fixture.processor(fixture.download(trustCertificate: false)),
                                    FileJob(source: server.url("/files/a.csv"), steps: [.copy], destination: "a.csv")).failure
            guard case .downloadFailed(_, .tls)? = error else {
                Issue.record("expected a TLS failure, got \(String(describing: error))")
                return
            }
            #expect(error?.isPermanent == false)
            #expect(try server.requests().isEmpty)
            #expect(try fixture.sandbox.destinationListing().isEmpty)
        }
    }

    @Test("64 MiB streamed over https: peak RSS grows < 32 MiB and the checksum matches")
    func memoryStaysFlat() throws {
        heavyTestLock.lock()
        defer { heavyTestLock.unlock() }
        try withDownloadFixture("https-memory") { fixture, server in
            let size = 64 << 20
            var hasher = SHA256()
            let block = (0..<(16 << 10)).map { UInt8($0 % 256) }
            for _ in 0..<(size / block.count) { hasher.update(data: block) }
            let expected = hasher.finalize().map { String(format: "%02x", $0) }.joined()

            PeakMemory.reset()
            let before = PeakMemory.kibibytes()
            let started = ContinuousClock.now
            let manifest = try fixture.processor(fixture.download()).run(
                FileJob(source: server.url("/big/\(size)"), steps: [.checksum]), jobID: "mem")
            let elapsed = ContinuousClock.now - started
            let after = PeakMemory.kibibytes()
            print("[file download memory] 64 MiB over https in \(elapsed): VmHWM \(before) KiB → \(after) KiB (+\(after - before) KiB)")
            #expect(manifest.inputBytes == Int64(size) && manifest.download?.bytes == Int64(size))
            #expect(manifest.sha256 == expected)
            #expect(after - before < 32 * 1024, "peak RSS grew by \(after - before) KiB")
        }
    }

    @Test("the download section parses, reuses the webhook SSRF keys, and names the key in every error")
    func configuration() throws {
        let certificate = try TestCertificate.shared()
        let base: [String: Any] = ["source_root": "/a", "destination_root": "/b"]
        #expect(try FileHandlerConfiguration(dictionary: base, file: "f.yaml", key: "files").download == nil)
        var empty = base
        empty["download"] = [String: Any]()
        #expect(try FileHandlerConfiguration(dictionary: empty, file: "f.yaml", key: "files").download == FileDownloadConfiguration())
        #expect(FileDownloadConfiguration().ssrfPolicy == .publicOnly && !FileDownloadConfiguration().allowHTTP)

        var full = base
        full["download"] = [
            "allow_private": true, "allowed_networks": ["10.1.0.0/16"], "allowed_hosts": ["files.example.com"],
            "connect_timeout": "3s", "timeout": "2m", "max_redirects": 2, "ca_file": certificate.certificatePath, "allow_http": "yes",
        ] as [String: Any]
        let parsed = try #require(try FileHandlerConfiguration(dictionary: full, file: "f.yaml", key: "handlers.files").download)
        #expect(parsed.ssrfPolicy == SSRFPolicy(allowPrivate: true, allowedNetworks: [try #require(IPNetwork("10.1.0.0/16"))],
                                                allowedHosts: ["files.example.com"]))
        #expect(parsed.connectTimeout == .seconds(3) && parsed.timeout == .seconds(120) && parsed.maxRedirects == 2)
        #expect(parsed.caFile == certificate.certificatePath && parsed.allowHTTP)

        let cases: [(Any, String)] = [
            ("yes", "f.yaml: handlers.files.download: must be a mapping"),
            (["allow_privat": true], "f.yaml: handlers.files.download.allow_privat: unknown key"),
            (["allowed_networks": ["10.0.0.0/33"]], "f.yaml: handlers.files.download.allowed_networks[0]: not an IP address or CIDR block"),
            (["allowed_hosts": ["a b"]], "f.yaml: handlers.files.download.allowed_hosts[0]: not a host name"),
            (["timeout": "soon"], "f.yaml: handlers.files.download.timeout: \"soon\" is not a duration"),
            (["connect_timeout": -1], "f.yaml: handlers.files.download.connect_timeout: \"-1\" is not a duration like 500ms"),
            (["max_redirects": 50], "f.yaml: handlers.files.download.max_redirects: expected a whole number from 0 to 20"),
            (["allow_http": "maybe"], "f.yaml: handlers.files.download.allow_http: expected true or false"),
            (["ca_file": "ca.pem"], "f.yaml: handlers.files.download.ca_file: must be an absolute path"),
            (["ca_file": "/nonexistent/ca.pem"], "f.yaml: handlers.files.download.ca_file: /nonexistent/ca.pem cannot be read"),
        ]
        for (section, expected) in cases {
            var dictionary = base
            dictionary["download"] = section
            do {
                _ = try FileHandlerConfiguration(dictionary: dictionary, file: "f.yaml", key: "handlers.files")
                Issue.record("accepted \(section)")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
                #expect(!error.description.contains("\n"))
            }
        }
    }
}
