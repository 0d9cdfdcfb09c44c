import Foundation

/// One job a `CronScheduler.tick` enqueued.
public struct FiredRun: Sendable, Hashable {
    /// The schedule that fired.
    public var schedule: String
    /// The queue the job went to.
    public var queue: String
    /// The fire slot (a whole second).
    public var slot: Date
    /// The job id, `cron:<schedule>:<slot-epoch-seconds>`.
    public var jobID: String
    /// True when the slot was older than the tolerance: a `.once` catch-up run after downtime.
    public var isCatchUp: Bool
}

/// What one `CronScheduler.tickReport(now:)` did.
public struct CronTickReport: Sendable {
    /// One schedule that could not be processed.
    public struct Failure: Sendable {
        /// The schedule's name.
        public var schedule: String
        /// What went wrong.
        public var error: CronScheduleError
    }
    /// The jobs this tick created.
    public var fired: [FiredRun] = []
    /// Schedules that failed (Redis errors, enqueue rejected); retried on the next tick.
    public var failures: [Failure] = []
}

/// The firing logic of cron schedules: a daemon's service thread calls `tick(now:)` periodically (or sleeps
/// until `nextWake(now:)`). Any number of schedulers, in any number of processes, may tick the same
/// namespace concurrently: each fire slot becomes one job with the deterministic id `cron:<name>:<slot>`,
/// and enqueue is idempotent by id, so every slot is enqueued exactly once. The last fire slot of every
/// schedule (`<prefix>:cron:last`) only moves forward (script `cron_advance`).
///
/// Clock: `tick(now:)` uses the `now` it is given (normally `Date()`, the local clock); `tick()` uses the
/// Redis server's `TIME`, so daemons with skewed clocks agree on what is due. Clock skew between daemons
/// never duplicates a slot; it can only move when a slot fires, within the skew.
///
/// Known limits: a slot is enqueued twice only if a scheduler stalls between reading the last fire slot and
/// enqueueing for longer than the queue keeps completed job ids (its retention), and another scheduler fires
/// and completes that slot meanwhile.
public final class CronScheduler: Sendable {
    /// The client whose namespace holds the schedules.
    public let client: SpoolClient
    /// How old a due slot may be and still count as current (fires under `.skip`; not a catch-up). Make it
    /// the tick interval plus about a second. Default 2 s.
    public let tolerance: Duration
    private let registry: CronRegistry

    /// A scheduler on `client`'s namespace.
    public init(client: SpoolClient, tolerance: Duration = .seconds(2)) {
        self.client = client
        self.tolerance = tolerance
        registry = CronRegistry(client: client)
    }

    /// The Redis server's clock (`TIME`).
    public func serverTime() throws(CronScheduleError) -> Date {
        let reply = try registry.run { (redis) throws(RedisError) in try redis.command("TIME") }
        guard let parts = reply.array, parts.count == 2, let seconds = parts[0].int, let micros = parts[1].int else {
            throw .spool(.protocolMismatch("TIME replied \(reply)"))
        }
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    /// Fires what is due now by the Redis server's clock; see `tick(now:)`.
    public func tick() throws(CronScheduleError) -> [FiredRun] {
        try tick(now: serverTime())
    }

    /// Fires every enabled schedule that is due at `now` and returns the jobs this call created (a slot
    /// another scheduler already enqueued is not reported again).
    ///
    /// Per schedule: on first sight the last fire slot is set to the latest slot ≤ `now` without firing (a
    /// new schedule does not fire for the past). Otherwise, when slots passed since the last fire slot, the
    /// most recent one fires if it is current (≥ `now − tolerance`); an older one (downtime) fires only under
    /// `.once`, as a single catch-up run; the other missed slots are skipped. With `noOverlap`, the slot is
    /// skipped while the previous run's job is ready, scheduled or active. In every case the last fire slot
    /// then moves to that slot, after the enqueue (so a crash in between re-enqueues the same id, which is a
    /// no-op). Schedules stored in a form this version cannot read are skipped.
    ///
    /// A failing schedule does not stop the others: all are processed, then the first failure is thrown
    /// (the runs created meanwhile are then only visible through `tickReport(now:)`); the next tick retries.
    public func tick(now: Date) throws(CronScheduleError) -> [FiredRun] {
        let report = try tickReport(now: now)
        if let failure = report.failures.first { throw failure.error }
        return report.fired
    }

    /// Like `tick(now:)`, but reports per-schedule failures instead of throwing them; throws only when the
    /// schedules cannot be read.
    public func tickReport(now: Date) throws(CronScheduleError) -> CronTickReport {
        let keys = client.globalKeys
        var report = CronTickReport()
        let schedules = try registry.all().compactMap { try? $0.get() }.filter(\.enabled)
        if schedules.isEmpty { return report }
        let lastFire = try registry.slots(in: keys.cronLastFire)
        for schedule in schedules {
            do {
                if let run = try process(schedule, lastFire: lastFire[schedule.name], now: now) { report.fired.append(run) }
            } catch {
                report.failures.append(CronTickReport.Failure(schedule: schedule.name, error: error))
            }
        }
        return report
    }

    private func process(_ schedule: CronSchedule, lastFire: Date?, now: Date) throws(CronScheduleError) -> FiredRun? {
        let key = client.globalKeys.cronLastFire
        let expression = try schedule.parsedExpression()
        let zone = try schedule.resolvedTimeZone()
        let latest = Self.latestSlot(of: expression, atOrBefore: now, in: zone)
        guard let last = lastFire else {
            let marker = latest ?? Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
            try registry.advance(key, name: schedule.name, to: marker)
            return nil
        }
        guard let slot = latest, slot > last else { return nil }
        let isCurrent = slot.timeIntervalSince1970 >= now.timeIntervalSince1970 - tolerance.inSeconds
        var run: FiredRun?
        if isCurrent || schedule.missedRuns == .once {
            run = try fire(schedule, slot: slot, catchUp: !isCurrent)
        }
        try registry.advance(key, name: schedule.name, to: slot)
        return run
    }

    /// The earliest next fire time after `now` across the enabled schedules; nil when there is none. A daemon
    /// can sleep until then, but should also wake now and then (say every few seconds) to notice schedules
    /// added or changed meanwhile.
    public func nextWake(now: Date) throws(CronScheduleError) -> Date? {
        var earliest: Date?
        for case .success(let schedule) in try registry.all() where schedule.enabled {
            guard let expression = try? schedule.parsedExpression(), let zone = try? schedule.resolvedTimeZone(),
                  let next = expression.next(after: now, in: zone) else { continue }
            earliest = min(earliest ?? next, next)
        }
        return earliest
    }

    /// Enqueues the run of `slot` unless the overlap guard holds it back; returns it when this call created it.
    private func fire(_ schedule: CronSchedule, slot: Date, catchUp: Bool) throws(CronScheduleError) -> FiredRun? {
        let keys = client.globalKeys
        let queue: Queue
        do { queue = try client.queue(schedule.queue) } catch { throw .invalidQueue(schedule: schedule.name, reason: error.description) }
        if schedule.noOverlap, try previousRunIsPending(schedule, queue: queue, before: slot) { return nil }
        let job = NewJob(kind: schedule.kind, validatedJSON: Array(schedule.payload.utf8), options: schedule.jobOptions(slot: slot))
        let result: EnqueueResult
        do { result = try queue.enqueue(job) } catch { throw .spool(error) }
        try registry.advance(keys.cronLastRun, name: schedule.name, to: slot)
        guard result.isNew else { return nil }
        return FiredRun(schedule: schedule.name, queue: schedule.queue, slot: slot, jobID: result.id, isCatchUp: catchUp)
    }

    /// True when the latest enqueued run before `slot` is still ready, scheduled or active.
    private func previousRunIsPending(_ schedule: CronSchedule, queue: Queue, before slot: Date) throws(CronScheduleError) -> Bool {
        let key = client.globalKeys.cronLastRun
        let reply = try registry.run { (redis) throws(RedisError) in try redis.command("HGET", RedisArgument(key), RedisArgument(schedule.name)) }
        guard let seconds = reply.string.flatMap(Int64.init) else { return false }
        let previous = Date(timeIntervalSince1970: Double(seconds))
        guard previous < slot else { return false }
        let job: Job?
        do { job = try queue.job(id: schedule.jobID(forSlot: previous)) } catch { throw .spool(error) }
        guard let state = job?.state else { return false }
        return state == .ready || state == .scheduled || state == .active
    }

    /// The latest fire time ≤ `now` (whole seconds).
    static func latestSlot(of expression: CronExpression, atOrBefore now: Date, in zone: TimeZone) -> Date? {
        let bound = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down) + 1)
        return expression.previous(before: bound, in: zone)
    }
}
