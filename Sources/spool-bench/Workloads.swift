import Foundation
import Spool
import SpoolWorker
import Synchronization

/// The benchmark workloads. Each returns one run's figures; the driver repeats them.
struct Workloads {
    let redisURL: String
    let prefixBase: String

    func client(_ label: String, poolSize: Int = 8) throws -> SpoolClient {
        SpoolClient(configuration: try RedisConfiguration(url: redisURL), prefix: "\(prefixBase)-\(label)-\(JobID.make().suffix(8))", poolSize: poolSize)
    }

    static func noopJobs(_ count: Int) -> [NewJob] {
        let payload = Array("{}".utf8)
        return (0..<count).map { _ in NewJob(kind: "spool.noop", validatedJSON: payload) }
    }

    /// 1. One producer thread, one job per call.
    func enqueueOne(count: Int) throws -> Double {
        let queue = try client("enq1").queue("bench")
        let payload = Array(#"{"user":42,"template":"welcome"}"#.utf8)
        _ = try queue.enqueue(NewJob(kind: "bench", validatedJSON: payload))
        let start = ContinuousClock.now
        for _ in 0..<count { _ = try queue.enqueue(NewJob(kind: "bench", validatedJSON: payload)) }
        let seconds = (ContinuousClock.now - start).inSeconds
        try cleanup(queue)
        return Double(count) / seconds
    }

    /// 2. Enqueue many: batches of 1,000.
    func enqueueMany(count: Int) throws -> Double {
        let queue = try client("enqN").queue("bench")
        let payload = Array(#"{"user":42,"template":"welcome"}"#.utf8)
        let batch = (0..<1000).map { _ in NewJob(kind: "bench", validatedJSON: payload) }
        _ = try queue.enqueue(Array(batch.prefix(10)))
        let start = ContinuousClock.now
        var done = 0
        while done < count {
            _ = try queue.enqueue(batch)
            done += batch.count
        }
        let seconds = (ContinuousClock.now - start).inSeconds
        try cleanup(queue)
        return Double(done) / seconds
    }

    /// 3. Process `count` already-queued no-op jobs with a worker of `concurrency` threads.
    func process(count: Int, concurrency: Int) throws -> Double {
        let client = try client("proc\(concurrency)", poolSize: 4)
        let queue = try client.queue("bench")
        try queue.pause()
        var start = 0
        let jobs = Self.noopJobs(1000)
        while start < count {
            _ = try queue.enqueue(jobs)
            start += 1000
        }
        var registry = HandlerRegistry()
        registry.register(NoopHandler())
        let worker = Worker(client: client, registry: registry,
                            configuration: WorkerConfiguration(groups: [.init(queues: [.init(name: "bench")], concurrency: concurrency)]),
                            logger: quietLogger)
        try worker.start()
        Thread.sleep(forTimeInterval: 0.2)
        let begin = ContinuousClock.now
        try queue.resume()
        while try queue.stats().completed < count { Thread.sleep(forTimeInterval: 0.005) }
        let seconds = (ContinuousClock.now - begin).inSeconds
        worker.shutdown(grace: .seconds(1))
        try cleanup(queue)
        return Double(count) / seconds
    }

    /// 4. End-to-end latency (enqueue → handler start) at a steady rate.
    func latency(rate: Int, duration: Duration, concurrency: Int) throws -> (p50: Double, p99: Double, max: Double) {
        let client = try client("lat", poolSize: 2)
        let queue = try client.queue("bench")
        let recorder = LatencyRecorder()
        var registry = HandlerRegistry()
        registry.register(LatencyHandler(recorder: recorder))
        let worker = Worker(client: client, registry: registry,
                            configuration: WorkerConfiguration(groups: [.init(queues: [.init(name: "bench")], concurrency: concurrency)]),
                            logger: quietLogger)
        try worker.start()
        Thread.sleep(forTimeInterval: 0.3)
        let total = Int(Double(rate) * duration.inSeconds)
        let interval = 1.0 / Double(rate)
        let begin = ContinuousClock.now
        for n in 0..<total {
            let due = begin + .seconds(Double(n) * interval)
            let now = ContinuousClock.now
            if due > now { Thread.sleep(forTimeInterval: (due - now).inSeconds) }
            let sentAt = Date().timeIntervalSince1970
            _ = try queue.enqueue(NewJob(kind: "bench.latency", validatedJSON: Array("{\"t\":\(sentAt)}".utf8)))
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while recorder.count < total && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        worker.shutdown(grace: .seconds(1))
        try cleanup(queue)
        let samples = recorder.samples.map { $0 * 1000 }
        return (percentile(samples, 0.5), percentile(samples, 0.99), samples.max() ?? .nan)
    }

    /// Redis memory per queued job (used_memory delta / jobs), and MEMORY USAGE of one job hash.
    func bytesPerJob(count: Int) throws -> (perJob: Double, jobHash: Double) {
        let client = try client("mem")
        let queue = try client.queue("bench")
        let redis = try RedisConnection(url: redisURL)
        func used() throws -> Double {
            let info = try redis.command("INFO", "memory").string ?? ""
            let line = info.split(separator: "\r\n").first { $0.hasPrefix("used_memory:") }
            return Double(line?.split(separator: ":").last ?? "") ?? 0
        }
        let payload = Array(#"{"user":42,"template":"welcome"}"#.utf8)
        _ = try queue.enqueue(NewJob(kind: "bench", validatedJSON: payload))
        let before = try used()
        var made = 0
        while made < count {
            _ = try queue.enqueue((0..<1000).map { _ in NewJob(kind: "bench", validatedJSON: payload) })
            made += 1000
        }
        let after = try used()
        let sample = try queue.list(state: .ready, limit: 1).jobs.first?.id ?? ""
        let hash = try redis.command("MEMORY", "USAGE", RedisArgument(queue.keys.job(sample))).double ?? .nan
        try cleanup(queue)
        return ((after - before) / Double(count), hash)
    }

    func cleanup(_ queue: Queue) throws {
        for state in JobState.allCases { _ = try queue.purge(state: state) }
        let redis = try RedisConnection(url: redisURL)
        try redis.command("DEL", RedisArgument(queue.keys.meta), RedisArgument(queue.keys.wake), RedisArgument(queue.keys.done))
    }
}

/// Records enqueue → start latencies reported by `LatencyHandler`.
final class LatencyRecorder: Sendable {
    private let values = Mutex<[Double]>([])
    func record(_ seconds: Double) { values.withLock { $0.append(seconds) } }
    var count: Int { values.withLock { $0.count } }
    var samples: [Double] { values.withLock { $0 } }
}

/// `bench.latency`: records how long ago its payload's timestamp was.
struct LatencyHandler: JobHandler {
    struct Payload: Decodable, Sendable { var t: Double }
    let kind = "bench.latency"
    let recorder: LatencyRecorder

    func perform(_ payload: Payload, context: JobContext) async throws -> String? {
        recorder.record(Date().timeIntervalSince1970 - payload.t)
        return nil
    }
}
