import Foundation
import Spool
import SpoolWorker
import Testing

@Suite("Worker runtime")
struct WorkerTests {
    func makeWorker(_ client: SpoolClient, queue: String = "q", concurrency: Int = 4,
                    tune: (inout WorkerConfiguration) -> Void = { _ in }) -> Worker {
        WorkerTestEnvironment.worker(client, queue: queue, concurrency: concurrency, tune: tune)
    }

    @Test("jobs run and complete; failures retry then die; unknown kinds and bad payloads die at once",
          arguments: [1, 4])
    func outcomes(concurrency: Int) throws {
        let client = try WorkerTestEnvironment.client("outcomes")
        let queue = try client.queue("q")
        let worker = makeWorker(client, concurrency: concurrency)
        try worker.start()
        defer { worker.shutdown(grace: .seconds(1)) }
        _ = try queue.enqueue(NewJob(kind: "spool.noop", json: "{}"))
        let failing = try queue.enqueue(NewJob(kind: "test.scripted", json: #"{"action":"fail"}"#)).id
        let permanent = try queue.enqueue(NewJob(kind: "test.scripted", json: #"{"action":"permanent"}"#)).id
        let unknown = try queue.enqueue(NewJob(kind: "nobody.handles", json: "{}")).id
        let undecodable = try queue.enqueue(NewJob(kind: "spool.sleep", json: #"{"seconds":"x"}"#)).id
        let ok = try queue.enqueue(NewJob(kind: "test.scripted", json: #"{"action":"ok"}"#)).id
        #expect(try WorkerTestEnvironment.eventually { try queue.stats().dead == 4 && queue.stats().completed == 2 })
        let failed = try #require(try queue.job(id: failing))
        #expect(failed.deadReason == "exhausted" && failed.errors.map(\.error) == ["scripted failure on attempt 1", "scripted failure on attempt 2"])
        #expect(try queue.job(id: permanent)?.deadReason == "failed")
        #expect(try queue.job(id: unknown)?.lastError?.contains("no handler is registered for kind \"nobody.handles\"") == true)
        #expect(try queue.job(id: undecodable)?.lastError?.contains("payload does not decode") == true)
        #expect(try queue.job(id: undecodable)?.attempts == 1)
        #expect(try queue.job(id: ok)?.state == .done)
        #expect(WorkerTestEnvironment.eventually {
            worker.metrics.count(queue: "q", kind: "test.scripted", outcome: "completed") == 1
                && worker.metrics.count(queue: "q", kind: "spool.noop", outcome: "completed") == 1
        })
        #expect(worker.metrics.count(queue: "q", kind: "test.scripted", outcome: "dead") == 2)
    }

    @Test("graceful shutdown: short jobs finish, long ones go back to ready at once")
    func gracefulShutdown() throws {
        let client = try WorkerTestEnvironment.client("shutdown")
        let queue = try client.queue("q")
        let worker = makeWorker(client, concurrency: 6)
        try worker.start()
        let short = try queue.enqueue((0..<3).map { _ in NewJob(kind: "spool.sleep", validatedJSON: Array(#"{"ms":200}"#.utf8)) }).map(\.id)
        let long = try queue.enqueue((0..<3).map { _ in NewJob(kind: "spool.sleep", validatedJSON: Array(#"{"ms":60000}"#.utf8)) }).map(\.id)
        #expect(WorkerTestEnvironment.eventually { worker.busyCount == 6 })
        let started = ContinuousClock.now
        worker.shutdown(grace: .milliseconds(800))
        let took = ContinuousClock.now - started
        #expect(took < .seconds(3), "shutdown took \(took)")
        for id in short {
            let job = try queue.job(id: id)
            #expect(job?.state == .done, "\(String(describing: job?.state)) \(String(describing: job?.lastError))")
        }
        for id in long {
            let job = try #require(try queue.job(id: id))
            #expect(job.state == .ready && job.attempts == 0, "\(job.state) \(job.attempts)")
        }
        #expect(try queue.stats().active == 0)
    }

    @Test("a handler past its deadline is cancelled; one that ignores cancellation is failed and its thread replaced",
          arguments: [1, 2])
    func timeouts(concurrency: Int) throws {
        let client = try WorkerTestEnvironment.client("timeouts")
        let queue = try client.queue("q")
        let worker = makeWorker(client, concurrency: concurrency) { configuration in
            configuration.timeoutGrace = .milliseconds(300)
            configuration.defaultMaxAttempts = 1
        }
        try worker.start()
        defer { worker.shutdown(grace: .zero) }
        let polite = try queue.enqueue(NewJob(kind: "spool.sleep", json: #"{"ms":5000}"#, options: JobOptions(timeout: .milliseconds(200)))).id
        let stubborn = try queue.enqueue(NewJob(kind: "spool.sleep", json: #"{"ms":4000,"ignoreCancellation":true}"#,
                                                options: JobOptions(timeout: .milliseconds(200)))).id
        #expect(try WorkerTestEnvironment.eventually(.seconds(3)) { try queue.stats().dead == 2 })
        let politeJob = try queue.job(id: polite)
        #expect(politeJob?.lastError?.contains("cancelled at its deadline") == true, "\(String(describing: politeJob?.lastError)) \(String(describing: politeJob?.state))")
        #expect(try queue.job(id: stubborn)?.lastError?.contains("ignored cancellation") == true)
        // The stuck thread was replaced: every slot still serves jobs.
        #expect(worker.liveWorkerThreads == concurrency)
        _ = try queue.enqueue((0..<concurrency).map { _ in NewJob(kind: "spool.sleep", validatedJSON: Array(#"{"ms":300}"#.utf8)) })
        #expect(try WorkerTestEnvironment.eventually(.seconds(2)) { try queue.stats().active == concurrency })
        #expect(try WorkerTestEnvironment.eventually(.seconds(3)) { try queue.stats().completed == concurrency })
    }

    @Test("heartbeats list the worker while it runs and drop it when it stops")
    func heartbeat() throws {
        let client = try WorkerTestEnvironment.client("beat")
        let worker = makeWorker(client)
        try worker.start()
        #expect(try WorkerTestEnvironment.eventually { try client.workers().map(\.id) == [worker.configuration.workerID] })
        let beat = try #require(try client.workers().first)
        #expect(beat.queues == ["q"] && beat.concurrency == 4 && beat.pid == getpid())
        worker.shutdown(grace: .zero)
        #expect(try client.workers().isEmpty)
    }
}
