import Foundation
import Logging
import Spool

extension Worker {
    /// Starts one worker thread for `group` (for a group of one, a thread that also leases its jobs).
    func startSlot(group: Int) {
        let slot = nextSlotID.add(1, ordering: .relaxed).newValue
        liveSlots.withLock { _ = $0.insert(slot) }
        if configuration.groups[group].isSolo {
            spawn(name: "spool-worker-\(slot)") { self.soloLoop(group: group, slot: slot) }
        } else {
            spawn(name: "spool-worker-\(slot)") { self.slotLoop(group: group, slot: slot) }
        }
    }

    /// A worker thread: takes jobs from its group's channel, runs them, acknowledges them.
    func slotLoop(group: Int, slot: Int) {
        defer { liveSlots.withLock { _ = $0.remove(slot) } }
        let redis = RedisConnection(configuration: client.pool.configuration)
        let channel = channels[group]
        while !isStopping {
            guard let job = channel.take(timeout: .milliseconds(250)) else { continue }
            let keepGoing = run(job, slot: slot, redis: redis)
            if !keepGoing { return }
        }
    }

    /// Runs one job to its end. Returns false when this thread was replaced while stuck and must exit.
    /// `sendsOwnCompletions`: this thread sends the completion with its next fetch (see `AckBatcher`).
    func run(_ job: LeasedJob, slot: Int, redis: RedisConnection, sendsOwnCompletions: Bool = false) -> Bool {
        busy.add(1, ordering: .relaxed)
        defer {
            busy.subtract(1, ordering: .relaxed)
            processed.add(1, ordering: .relaxed)
        }
        let queueSettings = settings(ofQueue: job.queue)
        let kindSettings = registry.settings(for: job.kind)
        let timeout = job.timeout ?? kindSettings.timeout ?? queueSettings.timeout ?? configuration.defaultTimeout
        let started = ContinuousClock.now
        let deadline = started + timeout
        metrics.recordWait(queue: job.queue, kind: job.kind, seconds: Date().timeIntervalSince(job.createdAt), shard: slot)
        defer { metrics.recordRun(queue: job.queue, kind: job.kind, seconds: (ContinuousClock.now - started).inSeconds, shard: slot) }
        let mailbox = SlotMailbox()
        let context = JobContext(job: job, deadline: deadline, logger: logger) { work in mailbox.post(.run(work)) }
        let entry = InFlightJob(job: job, context: context, deadline: deadline, slot: slot)
        inFlight.add(entry)
        defer { inFlight.remove(entry) }

        guard let handler = registry.handler(for: job.kind) else {
            if entry.claimAcknowledgement() {
                acknowledge(job, outcome: .failure(JobFailure.permanent("no handler is registered for kind \"\(job.kind)\" on worker \(configuration.workerID)")), redis: redis)
            }
            return true
        }
        let payload = job.payload
        let executor = SlotExecutor(mailbox: mailbox)
        let task = Task(executorPreference: executor) {
            let result: Result<String?, Error>
            do { result = .success(try await handler.run(payload, context)) } catch { result = .failure(error) }
            mailbox.post(.finished(result))
        }
        entry.setTask(task)
        var outcome: Result<String?, Error>?
        let hardDeadline = deadline + configuration.timeoutGrace
        while outcome == nil {
            let wakeAt = ContinuousClock.now < deadline ? deadline : hardDeadline
            switch mailbox.take(until: wakeAt) {
            case .run(let work)?:
                entry.setBlocking(true)
                work()
                entry.setBlocking(false)
                // Replaced by the supervisor while stuck in blocking work: this thread is no longer a slot.
                if entry.isAbandoned { return false }
            case .task(let unownedJob)?:
                entry.setBlocking(true)
                unownedJob.runSynchronously(on: executor.asUnownedTaskExecutor())
                entry.setBlocking(false)
                if entry.isAbandoned { return false }
            case .finished(let result)?:
                outcome = result
                if entry.isAbandoned { return true }
            case nil:
                if ContinuousClock.now >= deadline {
                    context.cancel()
                    task.cancel()
                }
                if ContinuousClock.now >= hardDeadline {
                    outcome = .failure(JobFailure.retry("timed out after \(timeout) and did not stop within the \(configuration.timeoutGrace) grace period"))
                }
            }
        }
        guard let outcome, entry.claimAcknowledgement() else { return !entry.isAbandoned }
        var finalOutcome = outcome
        if case .failure(let error) = outcome, error is CancellationError, ContinuousClock.now >= deadline {
            finalOutcome = .failure(JobFailure.retry("timed out after \(timeout) (cancelled at its deadline)"))
        }
        let micros = Int(((ContinuousClock.now - started).inSeconds * 1_000_000).rounded())
        let average = averageRunMicros.load(ordering: .relaxed)
        averageRunMicros.store(average - average / 8 + micros / 8, ordering: .relaxed)
        if case .success(let result) = finalOutcome {
            acker.post(job, result: result, wake: !sendsOwnCompletions)
        } else {
            acknowledge(job, outcome: finalOutcome, redis: redis)
        }
        return true
    }

    /// Completes or fails a job per its outcome, retrying through Redis outages; a lost lease is logged.
    func acknowledge(_ job: LeasedJob, outcome: Result<String?, Error>, redis: RedisConnection) {
        guard let queue = queue(named: job.queue) else { return }
        let kindSettings = registry.settings(for: job.kind)
        let queueSettings = settings(ofQueue: job.queue)
        let maxAttempts = kindSettings.maxAttempts ?? queueSettings.maxAttempts ?? configuration.defaultMaxAttempts
        let policy = job.backoff.flatMap { RetryPolicy(encoded: $0) } ?? kindSettings.backoff ?? queueSettings.backoff ?? configuration.defaultBackoff
        let giveUpAt = ContinuousClock.now + configuration.lease
        withRedisRetry("acknowledging job \(job.id)", giveUp: { ContinuousClock.now > giveUpAt }) {
            switch outcome {
            case .success(let result):
                if try queue.complete(job.lease, result: result, on: redis) {
                    metrics.recordOutcome(queue: job.queue, kind: job.kind, outcome: "completed")
                } else {
                    metrics.recordOutcome(queue: job.queue, kind: job.kind, outcome: "lost")
                    logger.warning("job \(job.id) finished after its lease was lost; another worker may run it again", metadata: ["queue": "\(job.queue)"])
                }
            case .failure(let error):
                let disposition: FailureDisposition
                let message: String
                switch error {
                case JobFailure.retry(let why): disposition = .backoff(policy); message = why
                case JobFailure.retryAfter(let after, let why): disposition = .retryAfter(after); message = why
                case JobFailure.rateLimited(let after, let why): disposition = .rateLimited(retryAfter: after); message = why
                case JobFailure.permanent(let why): disposition = .permanent; message = why
                default: disposition = .backoff(policy); message = "\(error)"
                }
                let result = try queue.fail(job, error: message, disposition: disposition, defaultMaxAttempts: maxAttempts, on: redis)
                switch result {
                case .retrying: metrics.recordOutcome(queue: job.queue, kind: job.kind, outcome: "retried")
                case .dead: metrics.recordOutcome(queue: job.queue, kind: job.kind, outcome: "dead")
                case .stale: metrics.recordOutcome(queue: job.queue, kind: job.kind, outcome: "lost")
                }
                logger.info("job failed: \(message) → \(result)", metadata: ["job": "\(job.id)", "queue": "\(job.queue)", "kind": "\(job.kind)", "attempt": "\(job.attempt)"])
            }
        }
    }
}

extension InFlightJob {
    func setTask(_ task: Task<Void, Never>) { taskBox.withLock { $0 = task } }
    func setBlocking(_ value: Bool) { blockingFlag.store(value, ordering: .relaxed) }
    var isBlocking: Bool { blockingFlag.load(ordering: .relaxed) }
    func cancelTask() { taskBox.withLock { $0?.cancel() } }
}
