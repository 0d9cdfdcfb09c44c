import Spool
import Synchronization

/// One job a worker holds: its lease, its context, and when it must be done.
final class InFlightJob: Sendable {
    let job: LeasedJob
    let context: JobContext
    let deadline: ContinuousClock.Instant
    let slot: Int
    private let flags = Mutex<(finished: Bool, abandoned: Bool)>((false, false))
    let taskBox = Mutex<Task<Void, Never>?>(nil)
    let blockingFlag = Atomic<Bool>(false)

    var isAbandoned: Bool { flags.withLock { $0.abandoned } }

    init(job: LeasedJob, context: JobContext, deadline: ContinuousClock.Instant, slot: Int) {
        self.job = job
        self.context = context
        self.deadline = deadline
        self.slot = slot
    }

    /// Claims the right to acknowledge the job; false when someone else (the supervisor) already did.
    func claimAcknowledgement() -> Bool {
        flags.withLock { flags in
            if flags.finished || flags.abandoned { return false }
            flags.finished = true
            return true
        }
    }

    /// Marks the job given up on by the supervisor; false when it had already finished.
    func abandon() -> Bool {
        flags.withLock { flags in
            if flags.finished || flags.abandoned { return false }
            flags.abandoned = true
            return true
        }
    }
}

/// The jobs a worker holds right now, for the lease renewer, the supervisor and shutdown. Spread over shards
/// by worker thread, so threads starting and finishing jobs at once do not queue on one lock.
final class InFlightJobs: Sendable {
    final class Shard: Sendable {
        let jobs = Mutex<[String: InFlightJob]>([:])
    }

    private let shards: [Shard] = (0..<16).map { _ in Shard() }

    private func shard(_ job: InFlightJob) -> Shard { shards[abs(job.slot) % shards.count] }
    private func key(_ job: InFlightJob) -> String { job.job.queue + "\u{0}" + job.job.id }

    func add(_ job: InFlightJob) { shard(job).jobs.withLock { $0[key(job)] = job } }
    func remove(_ job: InFlightJob) { _ = shard(job).jobs.withLock { $0.removeValue(forKey: key(job)) } }
    var all: [InFlightJob] { shards.flatMap { shard in shard.jobs.withLock { Array($0.values) } } }
    var count: Int { shards.reduce(0) { $0 + $1.jobs.withLock { $0.count } } }
}
