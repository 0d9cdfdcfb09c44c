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

/// The jobs a worker holds right now, for the lease renewer, the supervisor and shutdown.
final class InFlightJobs: Sendable {
    private let jobs = Mutex<[String: InFlightJob]>([:])

    func add(_ job: InFlightJob) { jobs.withLock { $0[job.job.queue + "\u{0}" + job.job.id] = job } }
    func remove(_ job: InFlightJob) { _ = jobs.withLock { $0.removeValue(forKey: job.job.queue + "\u{0}" + job.job.id) } }
    var all: [InFlightJob] { jobs.withLock { Array($0.values) } }
    var count: Int { jobs.withLock { $0.count } }
}
