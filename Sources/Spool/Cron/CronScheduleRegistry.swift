import Foundation

/// Lua scripts of cron bookkeeping. They touch only the global cron hashes (never queue keys), and each
/// touches one key, so they are cluster-safe.
enum CronScripts {
    /// cron_advance: moves a schedule's slot forward, never back.
    /// KEYS: the hash (last fire or last run). ARGV: name, slot (epoch seconds). Returns 1 when moved, else 0.
    static let advance = RedisScript(name: "cron_advance", source: #"""
local current = redis.call('HGET', KEYS[1], ARGV[1])
local new = tonumber(ARGV[2])
if (not current) or new > tonumber(current) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
"""#)

    /// cron_replace: compare-and-set of one schedule's JSON.
    /// KEYS: schedules hash. ARGV: name, expected JSON, new JSON. Returns 1 when replaced, 0 when it changed
    /// meanwhile, -1 when it is gone.
    static let replace = RedisScript(name: "cron_replace", source: #"""
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return -1 end
if current ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""#)
}

extension GlobalKeys {
    /// Cron last enqueued runs (hash name → slot epoch seconds of the latest run actually enqueued); the
    /// overlap guard looks up the job of that slot.
    public var cronLastRun: String { prefix + ":cron:lastrun" }
}

/// A schedule with its firing state, as `CronRegistry.list` reports it.
public struct CronScheduleStatus: Sendable, Hashable {
    /// The definition.
    public var schedule: CronSchedule
    /// The latest slot the schedulers have dealt with (fired, skipped, or initialised on first sight); nil
    /// before any scheduler has seen the schedule.
    public var lastFireSlot: Date?
    /// The next fire time after `now`; nil when disabled or when the expression never fires again.
    public var nextFire: Date?
}

/// The cron schedules of one namespace, stored in Redis: `<prefix>:cron:schedules` (name → JSON) and
/// `<prefix>:cron:last` (name → last fire slot, epoch seconds).
public struct CronRegistry: Sendable {
    /// The client whose namespace holds the schedules.
    public let client: SpoolClient

    /// A registry on `client`'s namespace.
    public init(client: SpoolClient) { self.client = client }

    /// Validates `schedule` and stores it under its name, replacing any schedule of that name. Returns true
    /// when the name was new. A new name starts without fire history (a leftover last-fire entry is cleared),
    /// so it does not fire for the past; a replaced schedule keeps its last fire slot.
    @discardableResult
    public func upsert(_ schedule: CronSchedule) throws(CronScheduleError) -> Bool {
        try schedule.validate()
        let json = try Self.encode(schedule)
        let keys = client.globalKeys
        let added = try run { (redis) throws(RedisError) in
            try redis.command("HSET", RedisArgument(keys.cronSchedules), RedisArgument(schedule.name), RedisArgument(bytes: json))
        }
        let created = (added.int ?? 0) == 1
        if created { try clearHistory(schedule.name) }
        return created
    }

    /// The schedule named `name`, or nil.
    public func get(_ name: String) throws(CronScheduleError) -> CronSchedule? {
        let keys = client.globalKeys
        let reply = try run { (redis) throws(RedisError) in try redis.command("HGET", RedisArgument(keys.cronSchedules), RedisArgument(name)) }
        guard let bytes = reply.bytes else { return nil }
        return try Self.decode(bytes, name: name)
    }

    /// Every schedule, sorted by name, with its last fire slot and next fire time after `now`.
    /// Entries that cannot be decoded are left out.
    public func list(now: Date = Date()) throws(CronScheduleError) -> [CronScheduleStatus] {
        let schedules = try all().compactMap { try? $0.get() }
        let last = try lastFireSlots()
        return schedules.map { schedule in
            var next: Date?
            if schedule.enabled, let expression = try? schedule.parsedExpression(), let zone = try? schedule.resolvedTimeZone() {
                next = expression.next(after: now, in: zone)
            }
            return CronScheduleStatus(schedule: schedule, lastFireSlot: last[schedule.name], nextFire: next)
        }
    }

    /// Enables the schedule `name`; throws `.notFound` when there is none.
    public func enable(_ name: String) throws(CronScheduleError) { try setEnabled(name, true) }

    /// Disables the schedule `name` (kept, but never fires); throws `.notFound` when there is none.
    public func disable(_ name: String) throws(CronScheduleError) { try setEnabled(name, false) }

    /// Sets the enabled flag of schedule `name` atomically (compare-and-set, so a concurrent upsert is not
    /// overwritten with stale fields); throws `.notFound` when there is none.
    public func setEnabled(_ name: String, _ enabled: Bool) throws(CronScheduleError) {
        let keys = client.globalKeys
        for _ in 0..<100 {
            let reply = try run { (redis) throws(RedisError) in try redis.command("HGET", RedisArgument(keys.cronSchedules), RedisArgument(name)) }
            guard let old = reply.bytes else { throw .notFound(name: name) }
            var schedule = try Self.decode(old, name: name)
            if schedule.enabled == enabled { return }
            schedule.enabled = enabled
            let new = try Self.encode(schedule)
            let result = try run { (redis) throws(RedisError) in
                try redis.evaluate(CronScripts.replace, keys: [RedisArgument(keys.cronSchedules)],
                                   arguments: [RedisArgument(name), RedisArgument(bytes: old), RedisArgument(bytes: new)])
            }
            switch result.int ?? 0 {
            case 1: return
            case -1: throw .notFound(name: name)
            default: continue
            }
        }
        throw .spool(.protocolMismatch("cron schedule \(name) kept changing while setting its enabled flag"))
    }

    /// Deletes schedule `name` and its fire history. Returns false when there was no such schedule.
    @discardableResult
    public func delete(_ name: String) throws(CronScheduleError) -> Bool {
        let keys = client.globalKeys
        let removed = try run { (redis) throws(RedisError) in
            try redis.command("HDEL", RedisArgument(keys.cronSchedules), RedisArgument(name))
        }
        try clearHistory(name)
        return (removed.int ?? 0) == 1
    }

    /// The last fire slot of schedule `name`, or nil when no scheduler has seen it yet.
    public func lastFireSlot(_ name: String) throws(CronScheduleError) -> Date? {
        let keys = client.globalKeys
        let reply = try run { (redis) throws(RedisError) in try redis.command("HGET", RedisArgument(keys.cronLastFire), RedisArgument(name)) }
        return reply.string.flatMap(Int64.init).map { Date(timeIntervalSince1970: Double($0)) }
    }

    // MARK: Internals shared with CronScheduler

    /// Every stored schedule, sorted by name; undecodable entries as failures.
    func all() throws(CronScheduleError) -> [Result<CronSchedule, CronScheduleError>] {
        let keys = client.globalKeys
        let reply = try run { (redis) throws(RedisError) in try redis.command("HGETALL", RedisArgument(keys.cronSchedules)) }
        let items = reply.array ?? []
        var result: [(String, Result<CronSchedule, CronScheduleError>)] = []
        var i = 0
        while i + 1 < items.count {
            let name = items[i].string ?? ""
            let bytes = items[i + 1].bytes ?? []
            do { result.append((name, .success(try Self.decode(bytes, name: name)))) } catch {
                result.append((name, .failure(error)))
            }
            i += 2
        }
        return result.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Name → last fire slot.
    func lastFireSlots() throws(CronScheduleError) -> [String: Date] {
        try slots(in: client.globalKeys.cronLastFire)
    }

    /// Name → slot, from one of the cron slot hashes.
    func slots(in key: String) throws(CronScheduleError) -> [String: Date] {
        let reply = try run { (redis) throws(RedisError) in try redis.command("HGETALL", RedisArgument(key)) }
        let items = reply.array ?? []
        var result: [String: Date] = [:]
        var i = 0
        while i + 1 < items.count {
            if let name = items[i].string, let seconds = items[i + 1].string.flatMap(Int64.init) {
                result[name] = Date(timeIntervalSince1970: Double(seconds))
            }
            i += 2
        }
        return result
    }

    /// Moves `name`'s slot in hash `key` forward to `slot` (never back). Returns true when it moved.
    @discardableResult
    func advance(_ key: String, name: String, to slot: Date) throws(CronScheduleError) -> Bool {
        let reply = try run { (redis) throws(RedisError) in
            try redis.evaluate(CronScripts.advance, keys: [RedisArgument(key)],
                               arguments: [RedisArgument(name), RedisArgument(CronSchedule.epochSeconds(slot))])
        }
        return (reply.int ?? 0) == 1
    }

    private func clearHistory(_ name: String) throws(CronScheduleError) {
        let keys = client.globalKeys
        // Two commands: the hashes may live in different cluster slots.
        _ = try run { (redis) throws(RedisError) in try redis.command("HDEL", RedisArgument(keys.cronLastFire), RedisArgument(name)) }
        _ = try run { (redis) throws(RedisError) in try redis.command("HDEL", RedisArgument(keys.cronLastRun), RedisArgument(name)) }
    }

    func run(_ body: (RedisConnection) throws(RedisError) -> RedisValue) throws(CronScheduleError) -> RedisValue {
        do { return try client.withConnection(body) } catch { throw .spool(error) }
    }

    static func encode(_ schedule: CronSchedule) throws(CronScheduleError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return Array(try encoder.encode(schedule)) } catch {
            throw .invalidOptions(schedule: schedule.name, reason: "cannot encode: \(error)")
        }
    }

    static func decode(_ bytes: [UInt8], name: String) throws(CronScheduleError) -> CronSchedule {
        do { return try JSONDecoder().decode(CronSchedule.self, from: Data(bytes)) } catch {
            throw .corrupt(name: name, reason: "\(error)")
        }
    }
}

extension SpoolClient {
    /// The cron schedules of this client's namespace.
    public var cronRegistry: CronRegistry { CronRegistry(client: self) }
}
