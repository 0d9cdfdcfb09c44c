import Foundation
import Spool

/// What a worker serves and how: groups of queues with their concurrency, plus leases, timeouts and defaults.
public struct WorkerConfiguration: Sendable {
    /// One queue served by a group.
    public struct QueueSettings: Sendable {
        /// The queue name.
        public var name: String
        /// Its share of fetches in a weighted group (≥ 1).
        public var weight: Int
        /// Defaults for jobs of this queue that carry none of their own (a kind's settings win).
        public var maxAttempts: Int?
        /// Backoff default for the queue.
        public var backoff: RetryPolicy?
        /// Attempt timeout default for the queue.
        public var timeout: Duration?
        /// What the queue keeps of finished jobs.
        public var retention: QueueRetention

        /// Creates queue settings.
        public init(name: String, weight: Int = 1, maxAttempts: Int? = nil, backoff: RetryPolicy? = nil,
                    timeout: Duration? = nil, retention: QueueRetention = QueueRetention()) {
            self.name = name
            self.weight = weight
            self.maxAttempts = maxAttempts
            self.backoff = backoff
            self.timeout = timeout
            self.retention = retention
        }
    }

    /// Queues that share one pool of `concurrency` worker threads.
    public struct Group: Sendable {
        /// The queues, in priority order for `.strict`.
        public var queues: [QueueSettings]
        /// Worker threads (jobs run at once) for this group.
        public var concurrency: Int
        /// Weighted or strict order between the queues.
        public var mode: QueueSelector.Mode

        /// Creates a group.
        public init(queues: [QueueSettings], concurrency: Int, mode: QueueSelector.Mode = .weighted) {
            self.queues = queues
            self.concurrency = max(1, concurrency)
            self.mode = mode
        }

        /// One thread that leases, runs and acknowledges its own jobs, with no dispatcher (Worker+Solo).
        var isSolo: Bool { concurrency == 1 }
    }

    /// The groups.
    public var groups: [Group]
    /// Lease length; leases are renewed every third of it.
    public var lease: Duration = .seconds(30)
    /// How long in-flight jobs may run on after a stop request before they are handed back.
    public var shutdownGrace: Duration = .seconds(25)
    /// How long a handler may overrun its deadline before it is failed and its slot replaced.
    public var timeoutGrace: Duration = .seconds(5)
    /// Attempt timeout when neither the job, its kind nor its queue sets one.
    public var defaultTimeout: Duration = .seconds(300)
    /// Attempts when neither the job, its kind nor its queue sets a limit.
    public var defaultMaxAttempts: Int = 8
    /// Backoff when neither the job, its kind nor its queue sets one.
    public var defaultBackoff: RetryPolicy = .standard
    /// Stalls (expired leases) before a job goes dead.
    public var maxStalls: Int = 3
    /// How often expired leases are reaped and due jobs promoted.
    public var reapInterval: Duration = .seconds(5)
    /// How often this worker writes its heartbeat.
    public var heartbeatInterval: Duration = .seconds(5)
    /// The longest an idle dispatcher blocks before looking again.
    public var maxIdleWait: Duration = .seconds(30)
    /// Fire cron schedules from this worker (any number of workers may; each slot is enqueued once).
    public var runsCron: Bool = true
    /// This worker's id in `spool:workers` (default host:pid:random).
    public var workerID: String

    /// Creates a configuration.
    public init(groups: [Group], workerID: String? = nil) {
        self.groups = groups
        self.workerID = workerID ?? "\(ProcessInfo.processInfo.hostName):\(getpid()):\(JobID.make().suffix(6))"
    }

    /// Every queue served, once each.
    public var queueNames: [String] {
        var seen = Set<String>()
        return groups.flatMap(\.queues).map(\.name).filter { seen.insert($0).inserted }
    }

    /// Each served queue's settings by name (the first group listing a queue wins).
    var settingsByQueue: [String: QueueSettings] {
        var byName: [String: QueueSettings] = [:]
        for settings in groups.flatMap(\.queues) where byName[settings.name] == nil { byName[settings.name] = settings }
        return byName
    }

    /// Total worker threads.
    public var totalConcurrency: Int { groups.reduce(0) { $0 + $1.concurrency } }
}
