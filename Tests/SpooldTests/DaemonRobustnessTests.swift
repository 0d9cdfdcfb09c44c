import Foundation
import Spool
import SpoolTestSupport
import Testing

@Suite("spoold: timeouts, the systemd unit, a kill mid-write")
struct DaemonRobustnessTests {
    @Test("a handler past its deadline is cancelled; one that ignores cancellation is failed and its thread replaced")
    func timeoutsThroughDaemon() throws {
        let port = try freeLoopbackPort()
        let harness = try DaemonHarness("dtimeout", yaml: """
        metrics:
          listen: 127.0.0.1:\(port)
        worker:
          timeout_grace: 300ms
          default_max_attempts: 1
        queues:
          - name: q
            concurrency: 2
        """)
        let queue = try harness.client().queue("q")
        let polite = try queue.enqueue(NewJob(kind: "spool.sleep", json: #"{"ms":5000}"#, options: JobOptions(timeout: .milliseconds(200)))).id
        let stubborn = try queue.enqueue(NewJob(kind: "spool.sleep", json: #"{"ms":3000,"ignoreCancellation":true}"#,
                                                options: JobOptions(timeout: .milliseconds(200)))).id
        let daemon = try harness.start()
        defer { daemon.signal(SIGKILL); daemon.wait() }
        #expect(try DaemonHarness.eventually(.seconds(5)) { try queue.stats().dead == 2 }, "log: \(harness.log)")
        #expect(try queue.job(id: polite)?.lastError?.contains("cancelled at its deadline") == true)
        #expect(try queue.job(id: stubborn)?.lastError?.contains("ignored cancellation") == true)
        // The stuck thread was replaced: two threads serve, and two new jobs run side by side.
        let threads = DaemonOperationsTests.httpGet(port: port, path: "/metrics").flatMap { try? DaemonOperationsTests.parsePrometheus($0.1) }?["spool_worker_threads"]
        #expect(threads == 2)
        _ = try queue.enqueue((0..<2).map { _ in NewJob(kind: "spool.sleep", validatedJSON: Array(#"{"ms":400}"#.utf8)) })
        #expect(try DaemonHarness.eventually(.seconds(3)) { try queue.stats().active == 2 })
        #expect(try DaemonHarness.eventually(.seconds(5)) { try queue.stats().completed == 2 })
    }

    @Test("systemd-analyze verify accepts the unit file")
    func unitFileVerifies() throws {
        let root = FileManager.default.currentDirectoryPath
        let unit = try String(contentsOfFile: root + "/scripts/systemd/spoold.service", encoding: .utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Point ExecStart at the binary just built (the installed path does not exist on a test machine).
        let local = unit.replacingOccurrences(of: "/usr/local/bin/spoold", with: try DaemonHarness.binary())
        let path = directory.appendingPathComponent("spoold.service").path
        try local.write(toFile: path, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("verify.log").path
        let verify = try ChildProcess("/usr/bin/systemd-analyze", ["verify", path], logFile: log)
        #expect(verify.wait(timeout: .seconds(60)) != nil)
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(verify.exitCode == 0, "\(output)")
        #expect(!output.contains("spoold.service:"), "warnings about the unit: \(output)")
    }

    @Test("kill -9 in the middle of writing a file leaves no partial output; the retry writes the same bytes")
    func killMidWrite() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("midwrite-\(UUID().uuidString.prefix(8))")
        let input = root.appendingPathComponent("in")
        let output = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        // 64 MiB of CSV-ish text: big enough that gzip takes a while, so the kill lands mid-write.
        var generator = SystemRandomNumberGenerator()
        var chunk = [UInt8]()
        for row in 0..<20_000 { chunk.append(contentsOf: Array("\(row),\(UInt64.random(in: 0...UInt64.max, using: &generator))\n".utf8)) }
        let handle = try FileHandle(forWritingTo: { () -> URL in
            let url = input.appendingPathComponent("big.csv")
            _ = FileManager.default.createFile(atPath: url.path, contents: Data("id,value\n".utf8))
            return url
        }())
        handle.seekToEndOfFile()
        var written = 0
        while written < 64 << 20 {
            handle.write(Data(chunk))
            written += chunk.count
        }
        handle.closeFile()
        let yaml = """
        worker:
          lease: 2s
          reap_interval: 300ms
        queues: [{name: q, concurrency: 1}]
        handlers:
          files:
            source_root: \(input.path)
            destination_root: \(output.path)
            allowed_types: [csv]
        """
        let harness = try DaemonHarness("midwrite", yaml: yaml)
        let queue = try harness.client().queue("q")
        let id = try queue.enqueue(NewJob(kind: "spool.file", json: #"{"source":"big.csv","steps":["verify","gzip","copy"],"destination":"big.csv.gz"}"#)).id
        let destination = output.appendingPathComponent("big.csv.gz").path
        let first = try harness.start()
        // Wait until the temp file exists and is growing, then kill.
        #expect(DaemonHarness.eventually(.seconds(20)) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
            return names.contains { $0.contains("spool-tmp") }
        })
        Thread.sleep(forTimeInterval: 0.3)
        first.signal(SIGKILL)
        first.wait()
        #expect(!FileManager.default.fileExists(atPath: destination), "a partial output appeared under the final name")
        let second = try harness.start()
        defer { second.signal(SIGKILL); second.wait() }
        #expect(try DaemonHarness.eventually(.seconds(60)) { try queue.job(id: id)?.state == .done || queue.stats().completed == 1 }, "log: \(harness.log)")
        // Same input, same bytes: run the same job again under another id and compare.
        let again = try queue.enqueue(NewJob(kind: "spool.file", json: #"{"source":"big.csv","steps":["verify","gzip","copy"],"destination":"again.csv.gz"}"#)).id
        #expect(try DaemonHarness.eventually(.seconds(60)) { try queue.stats().completed == 2 })
        _ = again
        #expect(try Self.sameBytes(destination, output.appendingPathComponent("again.csv.gz").path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.contains("spool-tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// Whether two files hold the same bytes, read 1 MiB at a time: the outputs are ~30 MiB each, and holding
    /// both would show up in the memory measurements other suites take in this same test process.
    static func sameBytes(_ first: String, _ second: String) throws -> Bool {
        let a = try FileHandle(forReadingFrom: URL(fileURLWithPath: first))
        let b = try FileHandle(forReadingFrom: URL(fileURLWithPath: second))
        defer {
            try? a.close()
            try? b.close()
        }
        while true {
            let left = try a.read(upToCount: 1 << 20) ?? Data()
            let right = try b.read(upToCount: 1 << 20) ?? Data()
            guard left == right else { return false }
            if left.isEmpty { return true }
        }
    }
}
