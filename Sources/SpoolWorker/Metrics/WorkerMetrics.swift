import Synchronization

/// Counters and histograms a worker keeps in memory, exposed in Prometheus text format.
///
/// Labels are the queue and the kind; the set of label values is bounded by the queues served and the kinds
/// registered (unknown kinds are counted under `kind="unknown"`).
public final class WorkerMetrics: Sendable {
    /// Histogram bucket upper bounds, in seconds.
    public static let buckets: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

    struct Key: Hashable {
        let queue: String
        let kind: String
    }

    struct Histogram {
        var counts = [Int](repeating: 0, count: WorkerMetrics.buckets.count)
        var sum = 0.0
        var count = 0

        mutating func add(_ other: Histogram) {
            for i in counts.indices { counts[i] += other.counts[i] }
            sum += other.sum
            count += other.count
        }

        mutating func observe(_ value: Double) {
            for (i, bound) in WorkerMetrics.buckets.enumerated() where value <= bound { counts[i] += 1 }
            sum += value
            count += 1
        }
    }

    struct State {
        var outcomes: [Key: [String: Int]] = [:]
        var runDurations: [Key: Histogram] = [:]
        var waitTimes: [Key: Histogram] = [:]
    }

    /// Recording is spread over shards (one per worker thread, modulo their count) so threads finishing jobs
    /// at the same moment do not queue on one lock; the exposition merges them.
    final class Shard: Sendable {
        let state = Mutex(State())
    }

    private let shards: [Shard]
    private let knownKinds: Set<String>

    /// Creates empty metrics; `kinds` bounds the kind label.
    public init(kinds: [String], shards: Int = 16) {
        knownKinds = Set(kinds)
        self.shards = (0..<max(1, shards)).map { _ in Shard() }
    }

    private func shard(_ index: Int) -> Shard { shards[abs(index) % shards.count] }

    private func key(_ queue: String, _ kind: String) -> Key { Key(queue: queue, kind: knownKinds.contains(kind) ? kind : "unknown") }

    /// Counts a finished attempt: `completed`, `retried`, `dead`, `lost` (lease lost) or `error` (not acknowledged).
    public func recordOutcome(queue: String, kind: String, outcome: String, shard index: Int = 0) {
        let key = key(queue, kind)
        shard(index).state.withLock { $0.outcomes[key, default: [:]][outcome, default: 0] += 1 }
    }

    /// Records how long a handler ran.
    public func recordRun(queue: String, kind: String, seconds: Double, shard index: Int = 0) {
        let key = key(queue, kind)
        shard(index).state.withLock { $0.runDurations[key, default: Histogram()].observe(seconds) }
    }

    /// Records how long a job waited between enqueue and start.
    public func recordWait(queue: String, kind: String, seconds: Double, shard index: Int = 0) {
        let key = key(queue, kind)
        shard(index).state.withLock { $0.waitTimes[key, default: Histogram()].observe(max(0, seconds)) }
    }

    /// The count of one outcome (for tests and status lines).
    public func count(queue: String, kind: String, outcome: String) -> Int {
        let key = key(queue, kind)
        return shards.reduce(0) { total, shard in total + shard.state.withLock { $0.outcomes[key]?[outcome] ?? 0 } }
    }

    /// All shards merged into one state.
    private func merged() -> State {
        var total = State()
        for shard in shards {
            let part = shard.state.withLock { $0 }
            for (key, outcomes) in part.outcomes {
                for (outcome, value) in outcomes { total.outcomes[key, default: [:]][outcome, default: 0] += value }
            }
            for (key, histogram) in part.runDurations { total.runDurations[key, default: Histogram()].add(histogram) }
            for (key, histogram) in part.waitTimes { total.waitTimes[key, default: Histogram()].add(histogram) }
        }
        return total
    }

    /// The metrics as Prometheus text exposition lines.
    public func exposition() -> String {
        let snapshot = merged()
        var out = "# HELP spool_jobs_processed_total Attempts finished by this worker, by outcome.\n"
        out += "# TYPE spool_jobs_processed_total counter\n"
        for (key, outcomes) in snapshot.outcomes.sorted(by: { ($0.key.queue, $0.key.kind) < ($1.key.queue, $1.key.kind) }) {
            for (outcome, value) in outcomes.sorted(by: { $0.key < $1.key }) {
                out += "spool_jobs_processed_total{queue=\"\(escape(key.queue))\",kind=\"\(escape(key.kind))\",outcome=\"\(outcome)\"} \(value)\n"
            }
        }
        out += histogram("spool_job_run_seconds", "How long handlers ran.", snapshot.runDurations)
        out += histogram("spool_job_wait_seconds", "How long jobs waited between enqueue and start.", snapshot.waitTimes)
        return out
    }

    private func histogram(_ name: String, _ help: String, _ series: [Key: Histogram]) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (key, histogram) in series.sorted(by: { ($0.key.queue, $0.key.kind) < ($1.key.queue, $1.key.kind) }) {
            let labels = "queue=\"\(escape(key.queue))\",kind=\"\(escape(key.kind))\""
            for (i, bound) in Self.buckets.enumerated() {
                out += "\(name)_bucket{\(labels),le=\"\(bound)\"} \(histogram.counts[i])\n"
            }
            out += "\(name)_bucket{\(labels),le=\"+Inf\"} \(histogram.count)\n"
            out += "\(name)_sum{\(labels)} \(histogram.sum)\n"
            out += "\(name)_count{\(labels)} \(histogram.count)\n"
        }
        return out
    }
}

/// Escapes a Prometheus label value.
func escape(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
}
