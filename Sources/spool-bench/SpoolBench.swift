import ArgumentParser
import Foundation
import Logging
import Spool

let quietLogger: Logger = {
    var logger = Logger(label: "spool.bench")
    logger.logLevel = .critical
    return logger
}()

/// `spool-bench`: Spool's throughput and latency workloads against one Redis (run by scripts/bench).
@main
struct SpoolBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool-bench",
        abstract: "Runs Spool's benchmark workloads against a Redis server and prints median/min/max.",
        subcommands: [Run.self, Fill.self, FileMemory.self]
    )

    /// Runs the in-process workloads (1–4 and Redis bytes per job).
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the workloads.")
        @Option(help: "Redis URL.") var redis: String
        @Option(help: "Label of this Redis setup (printed and stored).") var label = "redis"
        @Option(help: "Repetitions per workload.") var runs = 3
        @Option(help: "Jobs for enqueue-one.") var enqueueOneCount = 20_000
        @Option(help: "Jobs for enqueue-many.") var enqueueManyCount = 200_000
        @Option(help: "Jobs for processing.") var processCount = 100_000
        @Option(help: "Latency test rate (jobs/s).") var latencyRate = 1000
        @Option(help: "Latency test duration (s).") var latencySeconds = 20
        @Option(help: "redis-benchmark's one-connection EVALSHA rate, for the enqueue target.") var referenceEvalsha: Double?
        @Option(help: "Append the figures (JSON) to this file.") var jsonOut: String?
        @Option(help: "Postgres URL for the outbox workload (skipped when absent).") var database: String?
        @Option(help: "Rows for the outbox workload.") var outboxRows = 10_000
        @Option(help: "Only these workloads (comma-separated numbers, e.g. 1,2); all by default.") var only: String?
        @Option(help: "Worker concurrencies for the processing workload (comma-separated).") var processConcurrency = "1,10,50"
        @Option(help: "Sidekiq figures (JSON lines from scripts/sidekiq/bench.rb) to compare with.") var sidekiq: String?

        func run() throws {
            signal(SIGPIPE, SIG_IGN)
            let workloads = Workloads(redisURL: redis, prefixBase: "bench")
            let selected = Set((only ?? "1,2,3,4,5,7").split(separator: ",").map { String($0) })
            var figures: [Figure] = []
            func measure(_ workload: String, _ metric: String, _ unit: String, higherIsBetter: Bool = true,
                         target: String? = nil, targetValue: Double? = nil, _ body: () throws -> Double) rethrows {
                var values: [Double] = []
                for _ in 0..<runs { values.append(try body()) }
                let figure = Figure(workload: workload, metric: metric, unit: unit, runs: values, target: target,
                                    higherIsBetter: higherIsBetter, targetValue: targetValue)
                figures.append(figure)
                FileHandle.standardError.write(Data("[bench] \(label): \(workload) \(metric) median \(format(figure.median)) \(unit)\n".utf8))
            }
            let enqueueTarget = referenceEvalsha.map { $0 * 0.7 }
            if selected.contains("1") { try measure("1 enqueue one/call", "throughput", "jobs/s",
                        target: enqueueTarget.map { "≥ 70 % of EVALSHA (\(Int($0)))" }, targetValue: enqueueTarget) {
                try workloads.enqueueOne(count: enqueueOneCount)
            } }
            if selected.contains("2") { try measure("2 enqueue many ×1000", "throughput", "jobs/s", target: "≥ 150000", targetValue: 150_000) {
                try workloads.enqueueMany(count: enqueueManyCount)
            } }
            let concurrencies = processConcurrency.split(separator: ",").compactMap { Int($0) }
            for concurrency in concurrencies where selected.contains("3") {
                try measure("3 process noop c=\(concurrency)", "throughput", "jobs/s") {
                    try workloads.process(count: processCount, concurrency: concurrency)
                }
            }
            var p50: [Double] = [], p99: [Double] = [], worst: [Double] = []
            for _ in 0..<runs where selected.contains("4") {
                let result = try workloads.latency(rate: latencyRate, duration: .seconds(latencySeconds), concurrency: 10)
                p50.append(result.p50)
                p99.append(result.p99)
                worst.append(result.max)
            }
            if selected.contains("4") {
            figures.append(Figure(workload: "4 latency @\(latencyRate)/s", metric: "p50", unit: "ms", runs: p50, target: "≤ 0.5", higherIsBetter: false, targetValue: 0.5))
            figures.append(Figure(workload: "4 latency @\(latencyRate)/s", metric: "p99", unit: "ms", runs: p99, target: "≤ 2", higherIsBetter: false, targetValue: 2))
            figures.append(Figure(workload: "4 latency @\(latencyRate)/s", metric: "max", unit: "ms", runs: worst, higherIsBetter: false))
            }
            if let database, selected.contains("5") {
                var rates: [Double] = [], p50s: [Double] = [], p99s: [Double] = []
                for _ in 0..<runs {
                    let result = try OutboxWorkload(redisURL: redis, databaseURL: database).run(rows: outboxRows, perTransaction: 10)
                    rates.append(result.rowsPerSecond)
                    p50s.append(result.p50)
                    p99s.append(result.p99)
                }
                figures.append(Figure(workload: "5 outbox \(outboxRows) rows", metric: "throughput", unit: "rows/s", runs: rates, target: "≥ 10000", higherIsBetter: true, targetValue: 10_000))
                figures.append(Figure(workload: "5 outbox commit→ready", metric: "p50", unit: "ms", runs: p50s, higherIsBetter: false))
                figures.append(Figure(workload: "5 outbox commit→ready", metric: "p99", unit: "ms", runs: p99s, target: "≤ 50", higherIsBetter: false, targetValue: 50))
            }
            var perJob: [Double] = [], hash: [Double] = []
            for _ in 0..<runs where selected.contains("7") {
                let result = try workloads.bytesPerJob(count: 50_000)
                perJob.append(result.perJob)
                hash.append(result.jobHash)
            }
            if selected.contains("7") {
            figures.append(Figure(workload: "7 Redis memory", metric: "bytes/queued job", unit: "B", runs: perJob, higherIsBetter: false))
            figures.append(Figure(workload: "7 Redis memory", metric: "MEMORY USAGE job hash", unit: "B", runs: hash, higherIsBetter: false))
            }
            if let referenceEvalsha {
                figures.insert(Figure(workload: "0 redis-benchmark -c 1", metric: "EVALSHA", unit: "calls/s", runs: [referenceEvalsha], higherIsBetter: true), at: 0)
            }
            printTable(figures, title: "Spool on \(label) (\(runs) runs each)")
            if let sidekiq { printComparison(figures, sidekiqFile: sidekiq) }
            if let jsonOut {
                let record: [String: Any] = [
                    "label": label,
                    "figures": figures.map { ["workload": $0.workload, "metric": $0.metric, "unit": $0.unit, "runs": $0.runs,
                                              "median": $0.median, "min": $0.min, "max": $0.max, "target": $0.target ?? ""] as [String: Any] },
                ]
                let data = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
                if let handle = FileHandle(forWritingAtPath: jsonOut) {
                    handle.seekToEndOfFile()
                    handle.write(data + Data("\n".utf8))
                    handle.closeFile()
                } else {
                    try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: jsonOut))
                }
            }
        }
    }

    /// Peak memory of the file handler on a large input.
    struct FileMemory: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "file-memory", abstract: "Peak RSS of spool.file on a large input.")
        @Option(help: "Input size in MiB.") var megabytes = 1024

        func run() throws {
            let result = try FileMemoryWorkload(megabytes: megabytes).run()
            print(String(format: "[bench] 7b spool.file on %d MiB (verify, checksum, gzip, copy): %.1f s, peak RSS %.1f MiB before → %.1f MiB after (+%.1f MiB), %lld bytes out",
                         megabytes, result.seconds, result.peakBeforeMiB, result.peakAfterMiB, result.peakAfterMiB - result.peakBeforeMiB, result.bytesOut))
        }
    }

    /// Enqueues jobs for the daemon measurements.
    struct Fill: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enqueue jobs of one kind for the daemon workloads.")
        @Option var redis: String
        @Option var prefix: String
        @Option var queue = "bench"
        @Option var count = 100_000
        @Option var kind = "spool.noop"
        @Option var payload = "{}"

        func run() throws {
            let client = SpoolClient(configuration: try RedisConfiguration(url: redis), prefix: prefix)
            let target = try client.queue(queue)
            let batch = (0..<1000).map { _ in NewJob(kind: kind, validatedJSON: Array(payload.utf8)) }
            var made = 0
            while made < count {
                _ = try target.enqueue(Array(batch.prefix(count - made)))
                made += Swift.min(1000, count - made)
            }
        }
    }
}
