import Dispatch
import Spool
import Synchronization

/// Hands fetched jobs from a group's dispatcher to its worker threads, and tells the dispatcher how many
/// threads are free so it never leases more than can start at once. In a concurrency-1 group it holds the
/// jobs the group's one thread leased for itself. Either way, what waits here is renewed and handed back on
/// shutdown.
final class JobChannel: Sendable {
    private let pending = Mutex<[LeasedJob]>([])
    private let available = DispatchSemaphore(value: 0)
    private let slotFreed = DispatchSemaphore(value: 0)
    private let idle = Atomic<Int>(0)

    /// Threads waiting for a job minus jobs already waiting for a thread.
    var freeCapacity: Int { idle.load(ordering: .relaxed) - pending.withLock { $0.count } }

    func push(_ jobs: [LeasedJob]) {
        pending.withLock { $0.append(contentsOf: jobs) }
        for _ in jobs { available.signal() }
    }

    /// Takes a job, waiting up to `timeout`; nil on timeout.
    func take(timeout: Duration) -> LeasedJob? {
        idle.add(1, ordering: .relaxed)
        slotFreed.signal()
        defer { idle.subtract(1, ordering: .relaxed) }
        guard available.wait(timeout: .now() + .milliseconds(Int(timeout.wholeMilliseconds))) == .success else { return nil }
        return pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    /// Takes a job without waiting; nil when none is waiting. For a group whose one thread both leases and
    /// runs its jobs (the semaphore counts one signal per pushed job, so taking one here never blocks).
    func takeNow() -> LeasedJob? {
        guard let job = pending.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { return nil }
        _ = available.wait(timeout: .now())
        return job
    }

    /// Waits until a thread frees up (or `timeout`).
    func waitForFreeSlot(timeout: Duration) {
        _ = slotFreed.wait(timeout: .now() + .milliseconds(Int(timeout.wholeMilliseconds)))
    }

    /// Leases of jobs fetched but not yet started (the renewer keeps them alive).
    var pendingLeases: [LeasedJob] { pending.withLock { $0 } }

    /// Jobs fetched but not yet started (handed back on shutdown).
    func drain() -> [LeasedJob] { pending.withLock { jobs in defer { jobs = [] }; return jobs } }
}

/// A worker thread's inbox while it runs a job: blocking work the handler hands over, or the handler's end.
final class SlotMailbox: Sendable {
    enum Message: Sendable {
        case run(@Sendable () -> Void)
        case task(UnownedJob)
        case finished(Result<String?, Error>)
    }

    private let messages = Mutex<[Message]>([])
    private let signal = DispatchSemaphore(value: 0)

    func post(_ message: Message) {
        messages.withLock { $0.append(message) }
        signal.signal()
    }

    func take(until deadline: ContinuousClock.Instant) -> Message? {
        let remaining = max(.zero, deadline - ContinuousClock.now)
        guard signal.wait(timeout: .now() + .milliseconds(Int(remaining.wholeMilliseconds) + 1)) == .success else { return nil }
        return messages.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}
/// Runs a job's Swift tasks on the worker thread that owns the job: the handler's async code never needs
/// Swift's cooperative pool, so blocking work inside a handler cannot starve other tasks, and a busy pool
/// cannot stall the handlers.
final class SlotExecutor: TaskExecutor, Sendable {
    let mailbox: SlotMailbox

    init(mailbox: SlotMailbox) { self.mailbox = mailbox }

    func enqueue(_ job: consuming ExecutorJob) {
        mailbox.post(.task(UnownedJob(job)))
    }
}
