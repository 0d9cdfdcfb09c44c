import Foundation
import Logging
import Spool
import Synchronization

/// Moves committed outbox rows to Redis: exactly one job per committed row, in effect.
///
/// Each pass is one Postgres transaction: claim up to a batch of waiting rows
/// (`FOR UPDATE SKIP LOCKED`, in `seq` order), enqueue them to Redis by their job id (grouped by queue),
/// mark them published, COMMIT. A relay that dies between the enqueue and the COMMIT leaves its rows
/// waiting (the server rolls its transaction back); the next pass re-sends them and Redis answers
/// `.existing`, so no job is doubled. Any number of relays can run at once: they claim disjoint rows.
///
/// - Wakes on the outbox's `NOTIFY` (sent at the producer's COMMIT), with a slow poll as a safety net, and
///   keeps going while batches come back full.
/// - Rows that cannot be published get `last_error` and one more `publish_attempts`; invalid ones (bad
///   options, kind or queue name, payload over the client's limit) are marked failed at once, others after
///   ``OutboxRelayConfiguration/maxPublishAttempts``. Failed rows stay in the table and show in
///   ``OutboxMigrator/status(failureLimit:)``; the rows after them go on.
/// - Redis or Postgres down: the pass rolls back, the outage is logged once (and its end), and the relay
///   retries with a capped backoff.
/// - Prunes published rows older than ``OutboxRelayConfiguration/retention``, in batches.
///
/// Blocking: run it on a thread of its own, either ``start()``/``stop()`` (a dedicated thread) or
/// ``run(until:)`` on a thread you own — never on Swift's cooperative pool.
public final class OutboxRelay: Sendable {
    /// How it works.
    public let configuration: OutboxRelayConfiguration
    /// Where the jobs go.
    public let client: SpoolClient
    private let connectionString: String
    private let logger: Logger
    private let hooks: OutboxRelayHooks
    private let claim: OutboxClaim
    private let publisher: OutboxPublisher

    /// The relay's own connection (also its LISTEN session), opened on first use.
    private let connectionSlot = Mutex<PostgresConnection?>(nil)
    private let counters = Mutex(OutboxRelayMetrics())
    private let running = Atomic<Bool>(false)
    /// For ``start()``/``stop()``.
    private let stopRequested = Atomic<Bool>(false)
    private let threadFinished = Mutex<DispatchSemaphore?>(nil)

    /// Longest a wait for notifications lasts before the stop condition is checked again.
    private static let stopCheckInterval = Duration.milliseconds(100)

    /// A relay from the outbox in `databaseURL` to the queues of `client`. Connects on first use.
    ///
    /// - Parameters:
    ///   - databaseURL: a `postgres://` URL or libpq conninfo string; the relay opens its own connection.
    ///   - client: the Redis side; its `maxPayloadBytes` is the limit rows are checked against.
    ///   - logger: receives outages, recoveries and failed rows (with job id, queue and kind).
    /// - Throws: ``OutboxError/invalidConfiguration(_:)`` or ``OutboxError/postgres(_:)`` for an
    ///   unusable connection string.
    public convenience init(
        databaseURL: String, client: SpoolClient, configuration: OutboxRelayConfiguration = OutboxRelayConfiguration(),
        logger: Logger = Logger(label: "spool.outbox.relay")
    ) throws(OutboxError) {
        try self.init(
            databaseURL: databaseURL, client: client, configuration: configuration, logger: logger,
            hooks: OutboxRelayHooks())
    }

    /// As the public initialiser, with fault-injection hooks for tests.
    init(
        databaseURL: String, client: SpoolClient, configuration: OutboxRelayConfiguration, logger: Logger,
        hooks: OutboxRelayHooks
    ) throws(OutboxError) {
        try configuration.validate()
        do {
            _ = try PostgresConnectionString(databaseURL, connectTimeout: .seconds(5))
        } catch {
            throw .postgres(error)
        }
        connectionString = databaseURL
        self.client = client
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "outbox"] = "\(configuration.outbox.qualifiedName)"
        self.logger = logger
        self.hooks = hooks
        claim = OutboxClaim(configuration: configuration.outbox)
        publisher = OutboxPublisher(client: client)
    }

    deinit {
        connectionSlot.withLock { $0 }?.close()
    }

    /// A snapshot of the counters.
    public var metrics: OutboxRelayMetrics { counters.withLock { $0 } }

    // MARK: running

    /// Runs the relay on the calling thread until `stop` returns true (checked at least every 100 ms and
    /// between batches), then closes its connection. Never throws: failures are logged and retried.
    ///
    /// Call it on a thread you own. Only one `run` per relay at a time: a second call returns at once.
    public func run(until stop: () -> Bool) {
        guard running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            logger.error("OutboxRelay.run was called while this relay is already running — use one relay per thread")
            return
        }
        defer {
            closeConnection()
            running.store(false, ordering: .releasing)
        }
        let clock = ContinuousClock()
        var backoff = OutboxBackoff(minimum: configuration.minBackoff, maximum: configuration.maxBackoff)
        var outage: String?
        var passDue = true
        var nextPoll = clock.now
        var nextPrune = clock.now

        /// Logs the first failure of an outage at warning, repeats at debug; returns the wait before retrying.
        func failed(_ error: any Error) -> Duration {
            let text = message(error)
            counters.withLock {
                $0.outages += 1
                $0.lastError = text
            }
            if outage == nil {
                logger.warning("outbox relay paused: \(text) — retrying with backoff")
            } else {
                logger.debug("outbox relay still paused: \(text)")
            }
            outage = text
            return backoff.next()
        }

        while !stop() {
            if passDue || clock.now >= nextPoll {
                passDue = false
                nextPoll = clock.now.advanced(by: configuration.pollInterval)
                do {
                    let summary = try publishBatch()
                    if outage != nil {
                        logger.notice("outbox relay resumed after \(backoff.failures) failed attempt(s)")
                        outage = nil
                    }
                    // A full batch: there is probably more, go again at once.
                    passDue = summary.claimed >= configuration.batchSize
                    if summary.retried > 0 {
                        // Redis rejected single jobs: wait (longer each time) before they come round again.
                        pause(backoff.next(), until: stop)
                        passDue = true
                    } else {
                        backoff.reset()
                    }
                } catch {
                    pause(failed(error), until: stop)
                    passDue = true
                    continue
                }
            }
            if clock.now >= nextPrune {
                nextPrune = clock.now.advanced(by: configuration.pruneInterval)
                pruneOnce(until: stop)
            }
            if passDue { continue }
            do {
                let wait = min(Self.stopCheckInterval, clock.now.duration(to: nextPoll))
                if wait > .zero, !(try connection().waitForNotifications(timeout: wait).isEmpty) {
                    passDue = true
                }
            } catch {
                pause(failed(error), until: stop)
                passDue = true
            }
        }
    }

    /// Starts ``run(until:)`` on a new thread named `spool-outbox-relay`. Does nothing if already started.
    public func start() {
        let done = DispatchSemaphore(value: 0)
        let fresh = threadFinished.withLock { slot -> Bool in
            guard slot == nil else { return false }
            slot = done
            return true
        }
        guard fresh else { return }
        stopRequested.store(false, ordering: .releasing)
        let thread = Thread { [self] in
            run(until: { stopRequested.load(ordering: .acquiring) })
            done.signal()
        }
        thread.name = "spool-outbox-relay"
        thread.start()
    }

    /// Stops the thread ``start()`` started and waits for it: the batch in flight finishes (or rolls
    /// back), then the connection is closed. Does nothing if not started.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        guard let done = threadFinished.withLock({ slot -> DispatchSemaphore? in
            let current = slot
            slot = nil
            return current
        }) else { return }
        done.wait()
    }

    // MARK: one-off work

    /// Publishes waiting rows now, batch after batch, until a batch comes back less than full; returns
    /// what was done. For the CLI and tests; a running relay does this by itself.
    ///
    /// - Throws: ``OutboxError/redis(_:)`` when Redis is unreachable (the batch in flight is rolled back)
    ///   or ``OutboxError/postgres(_:)``.
    @discardableResult
    public func publishPending() throws(OutboxError) -> OutboxPublishSummary {
        var total = OutboxPublishSummary()
        while true {
            let summary: OutboxPublishSummary
            do {
                summary = try publishBatch()
            } catch {
                throw classify(error)
            }
            total.add(summary)
            if summary.claimed < configuration.batchSize { return total }
        }
    }

    /// Deletes published rows older than the retention now (as the running relay does every
    /// ``OutboxRelayConfiguration/pruneInterval``).
    @discardableResult
    public func prune() throws(OutboxError) -> OutboxPruneResult {
        let connection: PostgresConnection
        do { connection = try self.connection() } catch { throw .postgres(error) }
        let result = try OutboxPruner(configuration: configuration.outbox).prune(
            on: connection, olderThan: configuration.retention, batchSize: configuration.pruneBatchSize)
        counters.withLock { $0.pruned += result.deleted }
        return result
    }

    // MARK: a pass

    /// One transaction: claim, publish, mark, commit. Throws (rolling back) when Redis is unreachable,
    /// Postgres fails, or a test hook aborts it.
    private func publishBatch() throws -> OutboxPublishSummary {
        let connection = try connection()
        let batchSize = configuration.batchSize
        let maxAttempts = configuration.maxPublishAttempts
        let (summary, failures, lag) = try connection.transaction { tx in
            let rows = try claim.claim(on: tx, limit: batchSize)
            var summary = OutboxPublishSummary()
            summary.claimed = rows.count
            guard !rows.isEmpty else { return (summary, [(OutboxClaim.Row, String, Bool)](), Double?.none) }
            let outcomes = try publisher.publish(rows)
            if let hook = hooks.afterEnqueueBeforeCommit {
                try hook(tx, rows.map(\.jobID))
            }
            var published: [(seq: Int64, note: String?)] = []
            var failed: [(seq: Int64, error: String, permanent: Bool)] = []
            var lag: Double?
            for (row, outcome) in zip(rows, outcomes) {
                switch outcome {
                case .published(let created, let note):
                    published.append((row.seq, note))
                    if !created { summary.alreadyInRedis += 1 }
                    lag = max(lag ?? 0, row.ageSeconds)
                case .failed(let error, let permanent):
                    failed.append((row.seq, error, permanent))
                }
            }
            try claim.markPublished(on: tx, published)
            let markedFailed = try claim.markFailures(on: tx, failed, maxAttempts: maxAttempts)
            summary.published = published.count
            summary.failed = markedFailed.count
            summary.retried = failed.count - markedFailed.count
            let failures = zip(rows, outcomes).compactMap { row, outcome -> (OutboxClaim.Row, String, Bool)? in
                guard case .failed(let error, _) = outcome else { return nil }
                return (row, error, markedFailed.contains(row.seq))
            }
            return (summary, failures, lag)
        }
        // Committed: now count and report.
        for (row, error, final) in failures {
            let metadata: Logger.Metadata = [
                "job.id": "\(row.jobID)", "job.queue": "\(row.queue)", "job.kind": "\(row.kind)",
                "outbox.seq": "\(row.seq)", "outbox.attempts": "\(row.attempts + 1)",
            ]
            if final {
                logger.error("outbox row marked failed, not published: \(error)", metadata: metadata)
            } else {
                logger.warning("outbox row not published, will retry: \(error)", metadata: metadata)
            }
        }
        counters.withLock { metrics in
            guard summary.claimed > 0 else { return }
            metrics.batches += 1
            metrics.published += summary.published
            metrics.alreadyInRedis += summary.alreadyInRedis
            metrics.failed += summary.failed
            metrics.retried += summary.retried
            if let lag {
                metrics.lastLag = .seconds(max(0, lag))
                metrics.lastPublishedAt = Date()
            }
            if let last = failures.last { metrics.lastError = last.1 }
        }
        return summary
    }

    private func pruneOnce(until stop: () -> Bool) {
        do {
            let connection = try connection()
            let result = try OutboxPruner(configuration: configuration.outbox).prune(
                on: connection, olderThan: configuration.retention, batchSize: configuration.pruneBatchSize,
                shouldStop: stop)
            counters.withLock { $0.pruned += result.deleted }
            if result.deleted > 0 {
                logger.info("pruned published outbox rows", metadata: ["outbox.deleted": "\(result.deleted)"])
            }
        } catch {
            let text = message(error)
            counters.withLock { $0.lastError = text }
            logger.warning("outbox pruning failed: \(text) — trying again at the next prune interval")
        }
    }

    // MARK: connection and waiting

    /// The relay's connection, listening on the outbox channel; opened on first use. (PostgresConnection
    /// reconnects and re-LISTENs by itself after a break.)
    private func connection() throws(PostgresError) -> PostgresConnection {
        if let existing = connectionSlot.withLock({ $0 }) { return existing }
        let connection = try PostgresConnection(connectionString, logger: logger)
        do {
            try connection.listen(configuration.outbox.channel)
        } catch {
            connection.close()
            throw error
        }
        let winner = connectionSlot.withLock { slot -> PostgresConnection in
            if let existing = slot { return existing }
            slot = connection
            return connection
        }
        if winner !== connection { connection.close() }
        return winner
    }

    private func closeConnection() {
        connectionSlot.withLock { slot -> PostgresConnection? in
            let current = slot
            slot = nil
            return current
        }?.close()
    }

    /// Sleeps `duration` in short steps, returning early when `stop` says so.
    private func pause(_ duration: Duration, until stop: () -> Bool) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: duration)
        while !stop() {
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero { return }
            let step = min(remaining, Self.stopCheckInterval)
            let (seconds, attoseconds) = step.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
        }
    }

    /// An error of a pass as an ``OutboxError``; a missing table or schema reads as "run migrate".
    private func classify(_ error: any Error) -> OutboxError {
        switch error {
        case let error as OutboxError:
            return error
        case let error as SpoolError:
            return .redis(error)
        case let error as PostgresError:
            if error.sqlState == "42P01" || error.sqlState == "3F000" {
                return .notMigrated(
                    table: configuration.outbox.qualifiedName, found: 0, required: OutboxMigrator.latestVersion)
            }
            return .postgres(error)
        default:
            return .postgres(.misuse("outbox relay pass aborted: \(error)"))
        }
    }

    private func message(_ error: any Error) -> String {
        switch error {
        case is OutboxError, is SpoolError, is PostgresError: return classify(error).description
        default: return "\(error)"
        }
    }
}
