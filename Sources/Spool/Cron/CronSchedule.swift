import Foundation

/// What a cron schedule does about fire slots that passed while no scheduler was running.
public enum CronMissedRunPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Missed slots are dropped; only a slot that is current (within the scheduler's tolerance) fires.
    case skip
    /// After downtime, exactly one catch-up run fires: the most recent missed slot.
    case once
}

/// A named, time-zone-aware repeating job: when the cron expression fires, one job of `kind` with `payload`
/// is enqueued on `queue` under the deterministic id `cron:<name>:<slot-epoch-seconds>`.
///
/// Stored as JSON in the hash `<prefix>:cron:schedules` (see `CronRegistry`); fired by `CronScheduler`.
public struct CronSchedule: Sendable, Hashable, Codable {
    /// The unique name: 1–100 bytes, no whitespace, control characters or colons (it is part of job ids).
    public var name: String
    /// The cron expression text (5 fields, 6 fields with seconds, or a macro such as `@daily`).
    public var expression: String
    /// The IANA time zone whose wall clock the expression is read on, e.g. `Europe/Berlin` (default `UTC`).
    public var timeZone: String
    /// The queue that receives the jobs.
    public var queue: String
    /// The handler kind of the jobs.
    public var kind: String
    /// The payload of every job, as JSON text (default `{}`).
    public var payload: String
    /// Priority of the jobs (−32768…32767, default 0).
    public var priority: Int
    /// Attempts before a job goes dead; nil takes the worker's default.
    public var maxAttempts: Int?
    /// How long one attempt may run; nil takes the worker's default.
    public var timeout: Duration?
    /// Disabled schedules are kept but never fire.
    public var enabled: Bool
    /// What to do about slots missed during downtime (default `.skip`).
    public var missedRuns: CronMissedRunPolicy
    /// When true, a slot does not fire while the previous run of this schedule is still ready, scheduled
    /// or active; such a slot is skipped, not deferred.
    public var noOverlap: Bool

    /// Creates a schedule; call `validate()` (or `CronRegistry.upsert`, which does) before relying on it.
    public init(name: String, expression: String, timeZone: String = "UTC", queue: String, kind: String,
                payload: String = "{}", priority: Int = 0, maxAttempts: Int? = nil, timeout: Duration? = nil,
                enabled: Bool = true, missedRuns: CronMissedRunPolicy = .skip, noOverlap: Bool = false) {
        self.name = name
        self.expression = expression
        self.timeZone = timeZone
        self.queue = queue
        self.kind = kind
        self.payload = payload
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.timeout = timeout
        self.enabled = enabled
        self.missedRuns = missedRuns
        self.noOverlap = noOverlap
    }

    /// The deterministic job id of the run for `slot`: `cron:<name>:<slot-epoch-seconds>`.
    public func jobID(forSlot slot: Date) -> String {
        "cron:\(name):\(Self.epochSeconds(slot))"
    }

    /// The parsed expression; throws `.invalidExpression` naming this schedule.
    public func parsedExpression() throws(CronScheduleError) -> CronExpression {
        do {
            return try CronExpression(expression)
        } catch {
            throw .invalidExpression(schedule: name, error)
        }
    }

    /// The time zone; throws `.unknownTimeZone` when `timeZone` is not a known IANA identifier.
    public func resolvedTimeZone() throws(CronScheduleError) -> TimeZone {
        guard let zone = Self.timeZone(identifier: timeZone) else {
            throw .unknownTimeZone(schedule: name, identifier: timeZone)
        }
        return zone
    }

    /// Checks every field; throws the first problem found, with a message that names the schedule.
    public func validate() throws(CronScheduleError) {
        try Self.validateName(name)
        _ = try parsedExpression()
        _ = try resolvedTimeZone()
        do { try QueueName.validate(queue) } catch {
            throw .invalidQueue(schedule: name, reason: error.description)
        }
        guard !kind.isEmpty, kind.utf8.count <= 200 else {
            throw .invalidOptions(schedule: name, reason: "kind must be 1–200 bytes")
        }
        do {
            _ = try JSONSerialization.jsonObject(with: Data(payload.utf8), options: [.fragmentsAllowed])
        } catch {
            throw .invalidPayload(schedule: name, reason: NewJob.firstLine(of: error))
        }
        do { try jobOptions(slot: Date(timeIntervalSince1970: 0)).validate() } catch {
            throw .invalidOptions(schedule: name, reason: error.description)
        }
    }

    /// The options of the job for `slot`.
    func jobOptions(slot: Date) -> JobOptions {
        JobOptions(id: jobID(forSlot: slot), priority: priority, maxAttempts: maxAttempts, timeout: timeout)
    }

    /// Checks a schedule name: 1–100 bytes, no whitespace, control characters or colons.
    public static func validateName(_ name: String) throws(CronScheduleError) {
        guard !name.isEmpty, name.utf8.count <= 100 else {
            throw .invalidName(name: name, reason: "must be 1–100 bytes")
        }
        if name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F || $0 == ":" }) {
            throw .invalidName(name: name, reason: "may not contain whitespace, control characters or colons")
        }
    }

    /// A known IANA zone (or `UTC`/`GMT`); abbreviations such as `EST` are not accepted.
    static func timeZone(identifier: String) -> TimeZone? {
        if identifier == "UTC" || identifier == "GMT" { return TimeZone(identifier: identifier) }
        let known = TimeZone.knownTimeZoneIdentifiers
        if !known.isEmpty, !known.contains(identifier) { return nil }
        return TimeZone(identifier: identifier)
    }

    static func epochSeconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    // MARK: Codable (timeout as milliseconds; absent fields take their defaults)

    private enum CodingKeys: String, CodingKey {
        case name, expression, timeZone, queue, kind, payload, priority, maxAttempts, timeoutMilliseconds
        case enabled, missedRuns, noOverlap
    }

    /// Decodes the stored JSON form; absent optional fields take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        expression = try c.decode(String.self, forKey: .expression)
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone) ?? "UTC"
        queue = try c.decode(String.self, forKey: .queue)
        kind = try c.decode(String.self, forKey: .kind)
        payload = try c.decodeIfPresent(String.self, forKey: .payload) ?? "{}"
        priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? 0
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts)
        timeout = try c.decodeIfPresent(Int64.self, forKey: .timeoutMilliseconds).map { .milliseconds($0) }
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        missedRuns = try c.decodeIfPresent(CronMissedRunPolicy.self, forKey: .missedRuns) ?? .skip
        noOverlap = try c.decodeIfPresent(Bool.self, forKey: .noOverlap) ?? false
    }

    /// Encodes the stored JSON form (timeout as whole milliseconds).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(expression, forKey: .expression)
        try c.encode(timeZone, forKey: .timeZone)
        try c.encode(queue, forKey: .queue)
        try c.encode(kind, forKey: .kind)
        try c.encode(payload, forKey: .payload)
        try c.encode(priority, forKey: .priority)
        try c.encodeIfPresent(maxAttempts, forKey: .maxAttempts)
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            try c.encode(seconds * 1000 + attoseconds / 1_000_000_000_000_000, forKey: .timeoutMilliseconds)
        }
        try c.encode(enabled, forKey: .enabled)
        try c.encode(missedRuns, forKey: .missedRuns)
        try c.encode(noOverlap, forKey: .noOverlap)
    }
}

/// Why a cron schedule operation failed. Each message names the schedule and the problem.
public enum CronScheduleError: Error, Sendable, CustomStringConvertible {
    /// The schedule name is not usable.
    case invalidName(name: String, reason: String)
    /// The cron expression does not parse; wraps the parser's message.
    case invalidExpression(schedule: String, CronParseError)
    /// The time zone is not a known IANA identifier.
    case unknownTimeZone(schedule: String, identifier: String)
    /// The queue name is not valid.
    case invalidQueue(schedule: String, reason: String)
    /// The payload is not valid JSON.
    case invalidPayload(schedule: String, reason: String)
    /// The kind or job options are invalid.
    case invalidOptions(schedule: String, reason: String)
    /// No schedule has this name.
    case notFound(name: String)
    /// The stored JSON of a schedule cannot be read (written by a newer version, or by hand?).
    case corrupt(name: String, reason: String)
    /// Redis or the queue API failed.
    case spool(SpoolError)

    /// The human-readable message.
    public var description: String {
        switch self {
        case .invalidName(let name, let reason):
            return "cron schedule name \"\(name)\" \(reason)"
        case .invalidExpression(let schedule, let error):
            return "cron schedule \"\(schedule)\": \(error.description)"
        case .unknownTimeZone(let schedule, let identifier):
            return "cron schedule \"\(schedule)\": unknown time zone \"\(identifier)\" — use an IANA name such as UTC or Europe/Berlin"
        case .invalidQueue(let schedule, let reason):
            return "cron schedule \"\(schedule)\": \(reason)"
        case .invalidPayload(let schedule, let reason):
            return "cron schedule \"\(schedule)\": payload is not valid JSON: \(reason)"
        case .invalidOptions(let schedule, let reason):
            return "cron schedule \"\(schedule)\": \(reason)"
        case .notFound(let name):
            return "no cron schedule named \"\(name)\""
        case .corrupt(let name, let reason):
            return "cron schedule \"\(name)\" is stored in a form this version cannot read: \(reason) — upsert it again"
        case .spool(let error):
            return error.description
        }
    }
}
