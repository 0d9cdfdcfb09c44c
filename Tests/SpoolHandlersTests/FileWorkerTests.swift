import SpoolTestSupport
import Foundation
import Logging
import Spool
import SpoolHandlers
import SpoolWorker
import Testing

@Suite("spool.file through a real worker and Redis")
struct FileWorkerTests {
    static func redisURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SPOOL_TEST_REDIS_URL"], !url.isEmpty else {
            throw FileTestSetupError("SPOOL_TEST_REDIS_URL is not set: run the tests with scripts/test, which starts a throwaway Redis")
        }
        return url
    }

    struct FileTestSetupError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func eventually(_ limit: Duration = .seconds(20), _ condition: () throws -> Bool) rethrows -> Bool {
        try SpoolTestSupport.eventually(limit, condition)
    }

    @Test("a job completes with the manifest as its result; bad input goes straight to dead with a clear error")
    func endToEnd() throws {
        let sandbox = try FileSandbox("worker")
        defer { sandbox.remove() }
        try sandbox.put("in.csv", Array("a,b\n1,\"x\ny\"\n".utf8))
        try sandbox.put("fake.csv", FileHandlerTests.pngHeader)
        let client = SpoolClient(configuration: try RedisConfiguration(url: Self.redisURL()),
                                 prefix: "test-files-\(UUID().uuidString.prefix(8).lowercased())")
        var registry = HandlerRegistry()
        registry.register(FileHandler(configuration: sandbox.configuration(allowed: [.csv])))
        var logger = Logger(label: "spool.test.files")
        logger.logLevel = .critical
        let worker = Worker(client: client, registry: registry,
                            configuration: WorkerConfiguration(groups: [.init(queues: [.init(name: "files", retention: QueueRetention(keepCompletedDetails: true))], concurrency: 2)]),
                            logger: logger)
        try worker.start()
        defer { worker.shutdown(grace: .seconds(1)) }
        let queue = try client.queue("files")
        let good = try queue.enqueue(NewJob(kind: "spool.file", json: #"{"source":"in.csv","steps":["verify","csv-to-jsonl","gzip","copy"],"destination":"out/in.jsonl.gz"}"#)).id
        let fake = try queue.enqueue(NewJob(kind: "spool.file", json: #"{"source":"fake.csv","steps":["verify","copy"],"destination":"fake.csv"}"#)).id
        let escape = try queue.enqueue(NewJob(kind: "spool.file", json: #"{"source":"../../etc/passwd","steps":["copy"],"destination":"p"}"#)).id
        #expect(try Self.eventually { try queue.stats().completed == 1 && queue.stats().dead == 2 })
        let done = try #require(try queue.job(id: good))
        let manifest = try JSONDecoder().decode(FileManifest.self, from: Data((done.result ?? "").utf8))
        #expect(manifest.jobID == good && manifest.detectedType == "csv" && manifest.destination == "out/in.jsonl.gz")
        #expect(sandbox.exists(sandbox.destination + "/out/in.jsonl.gz.manifest.json"))
        #expect(try queue.job(id: fake)?.lastError?.contains("content type png (detected from its bytes) is not allowed") == true)
        #expect(try queue.job(id: fake)?.attempts == 1)
        #expect(try queue.job(id: escape)?.lastError?.contains("escapes its root") == true)
    }

    @Test("URL sources through the worker: a cut download retries and completes; 404 goes dead at once; 503 uses its attempts")
    func downloadsRetryThroughTheWorker() throws {
        let fixture = try DownloadFixture("worker-https")
        defer { fixture.remove() }
        let csv = Array("a,b\n1,\"x\ny\"\n2,z\n".utf8)
        try fixture.serve("in.csv", csv)
        try withTestServer(certificate: fixture.certificate, filesDirectory: fixture.served) { server in
            let client = SpoolClient(configuration: try RedisConfiguration(url: Self.redisURL()),
                                     prefix: "test-files-\(UUID().uuidString.prefix(8).lowercased())")
            var registry = HandlerRegistry()
            registry.register(FileHandler(configuration: FileHandlerConfiguration(
                sourceRoot: fixture.sandbox.source, destinationRoot: fixture.sandbox.destination, allowedTypes: [.csv],
                download: fixture.download())))
            var logger = Logger(label: "spool.test.files")
            logger.logLevel = .critical
            let worker = Worker(client: client, registry: registry,
                                configuration: WorkerConfiguration(groups: [.init(queues: [.init(name: "files", retention: QueueRetention(keepCompletedDetails: true))], concurrency: 2)]),
                                logger: logger)
            try worker.start()
            defer { worker.shutdown(grace: .seconds(1)) }
            let queue = try client.queue("files")
            let options = JobOptions(maxAttempts: 2, backoff: .fixed(.milliseconds(200)))
            func enqueue(_ path: String, _ destination: String) throws -> String {
                try queue.enqueue(NewJob(kind: "spool.file", payload: FileJob(source: server.url(path), steps: [.verify, .copy], destination: destination),
                                         options: options)).id
            }
            let flaky = try enqueue("/flaky/in.csv", "flaky.csv")
            let missing = try enqueue("/files/none.csv", "missing.csv")
            let busy = try enqueue("/status/503", "busy.csv")
            #expect(try Self.eventually { try queue.stats().completed == 1 && queue.stats().dead == 2 })
            #expect(try queue.job(id: flaky)?.attempts == 2)
            #expect(try fixture.sandbox.output("flaky.csv") == csv)
            #expect(try queue.job(id: missing)?.attempts == 1)
            #expect(try queue.job(id: missing)?.lastError?.contains("answered 404 (no such file)") == true)
            #expect(try queue.job(id: busy)?.attempts == 2)
            #expect(try queue.job(id: busy)?.lastError?.contains("answered 503") == true)
            #expect(try fixture.sandbox.destinationListing() == ["flaky.csv", "flaky.csv.manifest.json"])
        }
    }
}
