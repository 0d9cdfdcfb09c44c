/// Every Redis key of one queue, built in one place: `<prefix>:{<queue>}:<part>`.
///
/// The queue name sits in a hash tag, so all of a queue's keys map to one Redis Cluster slot and every
/// script touches one slot. Keys made inside scripts (`job:<id>`, `unique:<key>`, `rate:<minute>`) start with
/// `base`, which scripts receive as KEYS[1].
public struct QueueKeys: Sendable, Hashable {
    /// The queue's name.
    public let queue: String
    /// The namespace prefix (default `spool`).
    public let prefix: String
    /// `<prefix>:{<queue>}:` — the start of every key of the queue.
    public let base: String

    /// Keys of `queue` under `prefix`.
    public init(queue: String, prefix: String) {
        self.queue = queue
        self.prefix = prefix
        base = "\(prefix):{\(queue)}:"
    }

    /// Runnable job ids scored by priority, then FIFO.
    public var ready: String { base + "ready" }
    /// Delayed jobs and retries waiting for their backoff, scored by run-at (ms).
    public var delayed: String { base + "delayed" }
    /// Leased jobs, scored by lease deadline (ms).
    public var active: String { base + "active" }
    /// Dead-letter ids scored by time of death.
    public var dead: String { base + "dead" }
    /// Completed ids scored by completion time (kept as retention says).
    public var done: String { base + "done" }
    /// Wake-up markers idle workers block on.
    public var wake: String { base + "wake" }
    /// Paused flag and counters.
    public var meta: String { base + "meta" }
    /// The hash of one job.
    public func job(_ id: String) -> String { base + "job:" + id }
    /// The key holding a unique key's owner.
    public func unique(_ key: String) -> String { base + "unique:" + key }
    /// The completions counter of one minute (epoch minutes).
    public func rate(minute: Int64) -> String { base + "rate:\(minute)" }

    /// The sorted set that holds jobs in `state`.
    public func set(for state: JobState) -> String {
        switch state {
        case .scheduled: return delayed
        case .ready: return ready
        case .active: return active
        case .dead: return dead
        case .done: return done
        }
    }
}

/// Keys that span queues: the registry of queues and worker heartbeats (not used inside queue scripts).
public struct GlobalKeys: Sendable, Hashable {
    /// The namespace prefix.
    public let prefix: String
    /// Creates the global keys of a namespace.
    public init(prefix: String) { self.prefix = prefix }
    /// Set of known queue names.
    public var queues: String { prefix + ":queues" }
    /// Worker heartbeats: hash of worker id → JSON, and a zset of worker id → last beat.
    public var workers: String { prefix + ":workers" }
    /// Worker heartbeat times (zset id → ms).
    public var workerBeats: String { prefix + ":workers:beats" }
    /// Cron schedules (hash name → JSON definition).
    public var cronSchedules: String { prefix + ":cron:schedules" }
    /// Cron last fire slots (hash name → slot epoch seconds).
    public var cronLastFire: String { prefix + ":cron:last" }
}
