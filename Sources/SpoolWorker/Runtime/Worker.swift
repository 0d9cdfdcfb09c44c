import Foundation
import Logging
import Spool
import Synchronization

/// The worker runtime: dispatchers that lease jobs, worker threads that run them, and service threads that
/// renew leases, reap stalled jobs, watch timeouts and write a heartbeat. A group of concurrency 1 has no
/// dispatcher: its one thread leases its own jobs (Worker+Solo). Every blocking Redis call runs on threads
/// this type owns.
///
/// `start()` launches everything; `shutdown(grace:)` stops fetching, lets in-flight jobs finish within the
/// grace period, hands the rest back to `ready` at once, and returns when all threads are done.
public final class Worker: Sendable {
    /// The client (namespace, Redis configuration).
    public let client: SpoolClient
    /// What runs each kind.
    public let registry: HandlerRegistry
    /// Queues, concurrency, leases and defaults.
    public let configuration: WorkerConfiguration
    let logger: Logger
    let outage: OutageLog
    let inFlight = InFlightJobs()
    let stopping = Atomic<Bool>(false)
    let stopped = DispatchSemaphore(value: 0)
    let runningThreads = Atomic<Int>(0)
    let busy = Atomic<Int>(0)
    let processed = Atomic<Int>(0)
    let startedAt = Date()
    let dispatcherClientIDs = Mutex<[Int: Int]>([:])
    let channels: [JobChannel]
    /// Handles on the served queues, and their settings, by name.
    let queues: [String: Queue]
    let queueSettings: [String: WorkerConfiguration.QueueSettings]
    let liveSlots = Mutex<Set<Int>>([])
    let acker = AckBatcher()
    let ackerShouldExit = Atomic<Bool>(false)
    /// Recent average handler run time in microseconds (EWMA), to decide whether prefetching helps.
    let averageRunMicros = Atomic<Int>(1_000_000)
    /// In-memory counters and histograms of this worker's jobs.
    public let metrics: WorkerMetrics
    let nextSlotID = Atomic<Int>(0)

    /// Creates a worker; nothing runs until `start()`.
    public init(client: SpoolClient, registry: HandlerRegistry, configuration: WorkerConfiguration,
                logger: Logger = Logger(label: "spool.worker")) {
        self.client = client
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
        outage = OutageLog(logger: logger)
        channels = configuration.groups.map { _ in JobChannel() }
        // Looked up for every job: built once here, not per job.
        let settings = configuration.settingsByQueue
        queueSettings = settings
        var handles: [String: Queue] = [:]
        for (name, queueSettings) in settings {
            guard var queue = try? client.queue(name) else { continue }
            queue.retention = queueSettings.retention
            handles[name] = queue
        }
        queues = handles
        metrics = WorkerMetrics(kinds: registry.kinds)
    }

    /// Jobs this worker holds right now (leased, running or waiting for a thread).
    public var activeLeases: Int { inFlight.count }

    /// Checks Redis is reachable, then starts all threads.
    public func start() throws {
        let probe = RedisConnection(configuration: client.pool.configuration)
        try probe.command("PING")
        for (index, group) in configuration.groups.enumerated() {
            // A group of one thread leases its own jobs (Worker+Solo); larger groups get a dispatcher.
            if !group.isSolo { spawn(name: "spool-dispatch-\(index)") { self.dispatchLoop(groupIndex: index) } }
            for _ in 0..<group.concurrency { startSlot(group: index) }
        }
        spawn(name: "spool-renewer") { self.renewLoop() }
        spawn(name: "spool-acker") { self.ackLoop() }
        spawn(name: "spool-reaper") { self.reapLoop() }
        spawn(name: "spool-supervisor") { self.superviseLoop() }
        spawn(name: "spool-heartbeat") { self.heartbeatLoop() }
        if configuration.runsCron { spawn(name: "spool-cron") { self.cronLoop() } }
        logger.info("worker \(configuration.workerID) serving \(configuration.queueNames.joined(separator: ", ")) with \(configuration.totalConcurrency) threads")
    }

    /// Jobs running right now.
    public var busyCount: Int { busy.load(ordering: .relaxed) }
    /// Jobs finished (any outcome) since start.
    public var processedCount: Int { processed.load(ordering: .relaxed) }
    /// True once a stop was requested.
    public var isStopping: Bool { stopping.load(ordering: .relaxed) }
    /// Worker threads alive (not counting service threads); falls below the configured concurrency only
    /// while a stuck thread is being replaced.
    public var liveWorkerThreads: Int { liveSlots.withLock { $0.count } }

    /// True while Redis answers and every worker thread is alive (what `/healthz` and the watchdog report).
    public var isHealthy: Bool {
        !outage.isDown && liveWorkerThreads >= configuration.totalConcurrency
    }

    /// Stops fetching, waits up to `grace` for in-flight jobs, hands the rest back to `ready`, stops every
    /// thread and returns. Calling it again with a shorter grace shortens the wait.
    public func shutdown(grace: Duration? = nil) {
        let grace = grace ?? configuration.shutdownGrace
        let first = !stopping.exchange(true, ordering: .sequentiallyConsistent)
        if first { wakeDispatchers() }
        let deadline = ContinuousClock.now + grace
        while inFlight.count > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        // Completions of the jobs that finished go out before anything is handed back.
        let flushLimit = ContinuousClock.now + .seconds(5)
        while acker.count > 0 && ContinuousClock.now < flushLimit { Thread.sleep(forTimeInterval: 0.005) }
        handBackEverything()
        if first {
            ackerShouldExit.store(true, ordering: .sequentiallyConsistent)
            // Let every thread notice the stop and exit.
            let limit = ContinuousClock.now + .seconds(5)
            while runningThreads.load(ordering: .sequentiallyConsistent) > 0 && ContinuousClock.now < limit {
                Thread.sleep(forTimeInterval: 0.01)
            }
            removeHeartbeat()
            logger.info("worker \(configuration.workerID) stopped")
        }
    }

    /// Hands every in-flight and fetched-but-unstarted job back to `ready`, cancelling their handlers.
    func handBackEverything() {
        var jobs = channels.flatMap { $0.drain() }
        for entry in inFlight.all where entry.abandon() {
            entry.context.cancel()
            entry.cancelTask()
            jobs.append(entry.job)
        }
        handBack(jobs)
    }

    /// Hands leased jobs back to `ready` at once (their place in line and their attempt kept).
    func handBack(_ jobs: [LeasedJob]) {
        var leases: [String: [Lease]] = [:]
        for job in jobs { leases[job.queue, default: []].append(job.lease) }
        for (name, batch) in leases {
            do {
                let released = try client.queue(name).release(batch)
                logger.info("handed \(released) unfinished job(s) of \(name) back to ready")
            } catch {
                logger.error("could not hand jobs of \(name) back (\(error)); their leases expire and the reaper returns them")
            }
        }
    }

    func spawn(name: String, _ body: @escaping @Sendable () -> Void) {
        runningThreads.add(1, ordering: .sequentiallyConsistent)
        let thread = Thread { [self] in
            defer { runningThreads.subtract(1, ordering: .sequentiallyConsistent) }
            body()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Sleeps up to `duration`, waking early when a stop is requested. Returns false once stopping.
    func pause(_ duration: Duration) -> Bool {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            if isStopping { return false }
            Thread.sleep(forTimeInterval: min(0.05, max(0.001, (end - ContinuousClock.now).inSeconds)))
        }
        return !isStopping
    }

    /// Runs `body` until it succeeds, retrying Redis connection problems with capped backoff (one log line
    /// per outage). Other errors are logged and returned as false. Gives up when `giveUp` says so.
    @discardableResult
    func withRedisRetry(_ what: String, giveUp: () -> Bool = { false }, _ body: () throws -> Void) -> Bool {
        var backoff = ReconnectBackoff()
        while true {
            do {
                try body()
                outage.succeeded()
                return true
            } catch let error as SpoolError {
                if case .redis(let redisError) = error, redisError.isConnectionProblem {
                    outage.failed(redisError, during: what)
                    if giveUp() { return false }
                    Thread.sleep(forTimeInterval: backoff.next())
                    continue
                }
                logger.error("\(what) failed: \(error)")
                return false
            } catch {
                logger.error("\(what) failed: \(error)")
                return false
            }
        }
    }

    /// The handle on a served queue (built once, with the queue's retention); nil for any other name.
    func queue(named name: String) -> Queue? { queues[name] }

    /// A served queue's settings; defaults for any other name.
    func settings(ofQueue name: String) -> WorkerConfiguration.QueueSettings {
        queueSettings[name] ?? WorkerConfiguration.QueueSettings(name: name)
    }
}
