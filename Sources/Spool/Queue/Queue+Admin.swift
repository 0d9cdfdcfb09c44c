import Foundation

/// Counts and counters of one queue.
public struct QueueStats: Sendable, Hashable {
    /// The queue.
    public var queue: String
    /// Jobs waiting for a worker.
    public var ready: Int
    /// Delayed jobs and retries waiting out their backoff.
    public var scheduled: Int
    /// Jobs leased to workers.
    public var active: Int
    /// Dead jobs kept.
    public var dead: Int
    /// Completed ids kept (see retention).
    public var doneKept: Int
    /// True when paused.
    public var paused: Bool
    /// Counters since the queue was first used.
    public var enqueued: Int, completed: Int, failed: Int, retried: Int, buried: Int, stalled: Int
    /// Completions in the last full minute plus the current one, per minute (a rolling estimate).
    public var completedLastMinute: Int
    /// How long the job at the head of the ready line has waited since it was enqueued (nil when none is ready).
    public var headAge: Duration?
}

extension Queue {
    /// Counts per state, counters, paused flag, throughput of the last minute and the head job's age.
    public func stats() throws(SpoolError) -> QueueStats {
        // One clock reading serves the throughput window and the head job's age.
        let (nowMs, replies, headCreated) = try client.withConnection { (redis) throws(RedisError) -> (Int64, [RedisValue], RedisValue) in
            let nowMs = Self.milliseconds(fromTime: try redis.command("TIME"))
            let minute = nowMs / 60_000
            let replies = try redis.pipeline([
                ["ZCARD", RedisArgument(keys.ready)], ["ZCARD", RedisArgument(keys.delayed)],
                ["ZCARD", RedisArgument(keys.active)], ["ZCARD", RedisArgument(keys.dead)],
                ["ZCARD", RedisArgument(keys.done)], ["HGETALL", RedisArgument(keys.meta)],
                ["GET", RedisArgument(keys.rate(minute: minute))], ["GET", RedisArgument(keys.rate(minute: minute - 1))],
                ["ZRANGE", RedisArgument(keys.ready), 0, 0],
            ])
            guard let head = replies[8].array?.first?.string else { return (nowMs, replies, .null) }
            return (nowMs, replies, try redis.command("HGET", RedisArgument(keys.job(head)), "ctime"))
        }
        var meta: [String: String] = [:]
        let pairs = replies[5].array ?? []
        var i = 0
        while i + 1 < pairs.count {
            meta[pairs[i].string ?? ""] = pairs[i + 1].string
            i += 2
        }
        let current = replies[6].int ?? 0
        let previous = replies[7].int ?? 0
        let secondsIntoMinute = Double(nowMs / 1000 % 60)
        // Weight the previous minute by the part of it that is still inside the last 60 seconds.
        let lastMinute = current + Int((Double(previous) * (60 - secondsIntoMinute) / 60).rounded())
        let headAge = Int64(headCreated.string ?? "").map { Duration.milliseconds(max(0, nowMs - $0)) }
        func counter(_ name: String) -> Int { Int(meta[name] ?? "") ?? 0 }
        return QueueStats(queue: name, ready: replies[0].int ?? 0, scheduled: replies[1].int ?? 0, active: replies[2].int ?? 0,
                          dead: replies[3].int ?? 0, doneKept: replies[4].int ?? 0, paused: meta["paused"] == "1",
                          enqueued: counter("enqueued"), completed: counter("done"), failed: counter("failed"),
                          retried: counter("retried"), buried: counter("dead"), stalled: counter("stalled"),
                          completedLastMinute: lastMinute, headAge: headAge)
    }

    /// One page of jobs in `state` (oldest first for dead/done, run order for ready, due order for scheduled),
    /// optionally only of `kind`. Pass the returned cursor to get the next page. At most 1,000 entries are
    /// scanned per call, so a kind filter may return short pages before the end; keep going until the cursor is nil.
    public func list(state: JobState, kind: String? = nil, limit: Int = 50, cursor: String? = nil) throws(SpoolError) -> JobPage {
        var cursorID = ""
        var cursorScore = "0"
        if let cursor, !cursor.isEmpty {
            guard let bar = cursor.firstIndex(of: "|") else { throw .invalidJob("malformed cursor \"\(cursor)\"") }
            cursorScore = String(cursor[..<bar])
            cursorID = String(cursor[cursor.index(after: bar)...])
            guard Double(cursorScore) != nil, !cursorID.isEmpty else { throw .invalidJob("malformed cursor \"\(cursor)\"") }
        }
        let page = max(1, min(limit, 1000))
        let scan = kind == nil ? page : 1000
        let items = try run(QueueScripts.list, keys: [keys.base, keys.set(for: state)], arguments: [
            RedisArgument(cursorID), RedisArgument(cursorScore), RedisArgument(page), RedisArgument(kind ?? ""), RedisArgument(scan),
        ]).expectArray("list")
        var jobs: [JobSummary] = []
        var i = 2
        while i + 9 < items.count {
            let lastError = items.text(i + 8)
            jobs.append(JobSummary(
                id: items.text(i), kind: items.text(i + 2), state: JobState(rawValue: items.text(i + 9)) ?? state,
                attempts: items.integer(i + 3), priority: items.integer(i + 7), createdAt: Date(millis: items.text(i + 5)),
                score: Double(items.text(i + 1)) ?? 0, lastError: lastError.isEmpty ? nil : lastError))
            i += 10
        }
        let next = items.text(0)
        return JobPage(jobs: jobs, nextCursor: next.isEmpty ? nil : "\(items.text(1))|\(next)")
    }

    /// Everything about one job, or nil when there is no such job. A completed job whose details were not
    /// retained comes back with state `done` and no payload.
    public func job(id: String) throws(SpoolError) -> Job? {
        let replies = try client.withConnection { (redis) throws(RedisError) in
            try redis.pipeline([["HGETALL", RedisArgument(keys.job(id))], ["ZSCORE", RedisArgument(keys.done), RedisArgument(id)]])
        }
        let pairs = replies[0].array ?? []
        if pairs.isEmpty {
            guard let finished = replies[1].double else { return nil }
            var job = Job(fields: ["id": id, "state": "done"], payload: [], queue: name)
            job.finishedAt = Date(timeIntervalSince1970: finished / 1000)
            return job
        }
        var fields: [String: String] = [:]
        var payload: [UInt8] = []
        var i = 0
        while i + 1 < pairs.count {
            let key = pairs[i].string ?? ""
            if key == "payload" { payload = pairs[i + 1].bytes ?? [] } else { fields[key] = pairs[i + 1].string ?? "" }
            i += 2
        }
        fields["id"] = id
        return Job(fields: fields, payload: payload, queue: name)
    }

    /// Moves one dead job back to ready with its attempts reset. Returns false when it is not dead.
    @discardableResult
    public func retry(id: String) throws(SpoolError) -> Bool {
        let items = try run(QueueScripts.retryDead, keys: [keys.base, keys.dead, keys.ready, keys.meta, keys.wake],
                            arguments: ["1", "", RedisArgument(id)]).expectArray("retry_dead")
        return items.integer(0) == 1
    }

    /// Moves every dead job (optionally only of `kind`) back to ready, 1,000 per call. Returns how many moved.
    @discardableResult
    public func retryAllDead(kind: String? = nil) throws(SpoolError) -> Int {
        var moved = 0
        while true {
            let items = try run(QueueScripts.retryDead, keys: [keys.base, keys.dead, keys.ready, keys.meta, keys.wake],
                                arguments: ["1000", RedisArgument(kind ?? "")]).expectArray("retry_dead")
            moved += items.integer(0)
            // With a kind filter, non-matching jobs stay at the head; stop when a full scan moves nothing.
            if items.integer(1) < 1000 || items.integer(0) == 0 { break }
        }
        if kind != nil {
            // Continue past non-matching heads with listings, retrying matching ids page by page.
            var cursor: String?
            repeat {
                let page = try list(state: .dead, kind: kind, limit: 1000, cursor: cursor)
                for job in page.jobs where try retry(id: job.id) { moved += 1 }
                cursor = page.nextCursor
            } while cursor != nil
        }
        return moved
    }

    /// Deletes one job, whatever its state. Returns false when there was none.
    @discardableResult
    public func delete(id: String) throws(SpoolError) -> Bool {
        try run(QueueScripts.delete, keys: [keys.base, keys.ready, keys.delayed, keys.active, keys.dead, keys.done],
                arguments: [RedisArgument(id)]).int == 1
    }

    /// Removes the jobs in `state` (optionally only those older than `olderThan` — by time of death/completion
    /// for dead/done, by enqueue time otherwise — and only of `kind`), 1,000 per Redis call so Redis never
    /// stalls. With `dryRun` nothing is removed and the count of what would be is returned.
    @discardableResult
    public func purge(state: JobState, olderThan: Duration? = nil, kind: String? = nil, dryRun: Bool = false,
                      batch: Int = 1000) throws(SpoolError) -> Int {
        var cutoff: Int64 = 0
        if let olderThan {
            cutoff = max(1, try redisTimeMilliseconds() - olderThan.wholeMilliseconds)
        }
        let timed = state == .dead || state == .done
        var start = 0
        var total = 0
        while true {
            let items = try run(QueueScripts.purge, keys: [keys.base, keys.set(for: state)], arguments: [
                RedisArgument(start), RedisArgument(max(1, min(batch, 1000))), RedisArgument(cutoff), RedisArgument(kind ?? ""),
                dryRun ? "1" : "0", timed ? "1" : "0",
            ]).expectArray("purge")
            total += items.integer(0)
            start = items.integer(1)
            if items.integer(2) == 1 { break }
        }
        return total
    }

    /// The Redis server's clock in epoch milliseconds (the clock every script uses).
    func redisTimeMilliseconds() throws(SpoolError) -> Int64 {
        Self.milliseconds(fromTime: try client.withConnection { (redis) throws(RedisError) in try redis.command("TIME") })
    }

    /// Epoch milliseconds from a `TIME` reply (seconds, microseconds).
    static func milliseconds(fromTime reply: RedisValue) -> Int64 {
        let parts = reply.array ?? []
        let seconds = Int64(parts.first?.string ?? "") ?? 0
        let micros = Int64(parts.count > 1 ? parts[1].string ?? "" : "") ?? 0
        return seconds * 1000 + micros / 1000
    }

    /// Stops handing out jobs (enqueues still succeed). A queue can be paused before its first job.
    public func pause() throws(SpoolError) {
        try client.register(queue: name)
        _ = try run(QueueScripts.pause, keys: [keys.base, keys.meta, keys.wake], arguments: ["1"])
    }

    /// Resumes a paused queue and wakes idle workers.
    public func resume() throws(SpoolError) {
        _ = try run(QueueScripts.pause, keys: [keys.base, keys.meta, keys.wake], arguments: ["0"])
    }
}
