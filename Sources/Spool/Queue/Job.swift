import Foundation

/// One failed attempt in a job's bounded error history.
public struct JobErrorRecord: Sendable, Hashable, Codable {
    /// The attempt that failed (1-based).
    public var attempt: Int
    /// When it failed.
    public var at: Date
    /// What went wrong.
    public var error: String
    /// `retry`, `ratelimit`, `permanent` or `stalled`.
    public var kind: String
}

/// Everything stored about one job (the admin view).
public struct Job: Sendable {
    /// The job id.
    public var id: String
    /// Its queue.
    public var queue: String
    /// Its handler kind.
    public var kind: String
    /// Its JSON payload bytes (empty when the details of a completed job were not retained).
    public var payload: [UInt8]
    /// Where it is now.
    public var state: JobState
    /// Its priority.
    public var priority: Int
    /// Attempts started so far.
    public var attempts: Int
    /// Its own max attempts, or nil for the worker's default.
    public var maxAttempts: Int?
    /// Its own backoff, or nil for the worker's default.
    public var backoff: RetryPolicy?
    /// Its own timeout, or nil for the worker's default.
    public var timeout: Duration?
    /// Its unique key, if any.
    public var uniqueKey: String?
    /// When it was enqueued.
    public var createdAt: Date
    /// When it is (or was) due.
    public var runAt: Date?
    /// When its latest attempt started.
    public var startedAt: Date?
    /// When it completed or died.
    public var finishedAt: Date?
    /// Why it died (`exhausted`, `failed`, `stalled`, …).
    public var deadReason: String?
    /// The latest error.
    public var lastError: String?
    /// Up to the last N failed attempts.
    public var errors: [JobErrorRecord]
    /// How often its lease expired (worker died or hung).
    public var stalls: Int
    /// The handler's result text, when completed jobs are retained.
    public var result: String?

    /// The payload as UTF-8 text.
    public var payloadText: String { String(decoding: payload, as: UTF8.self) }

    /// Decodes the payload into `type`.
    public func decodePayload<Payload: Decodable>(_ type: Payload.Type) throws(SpoolError) -> Payload {
        do { return try JSONDecoder().decode(type, from: Data(payload)) } catch {
            throw .payloadEncoding("job \(id) payload does not decode as \(type): \(error)")
        }
    }

    init(fields: [String: String], payload: [UInt8], queue: String) {
        id = fields["id"] ?? ""
        self.queue = fields["queue"] ?? queue
        kind = fields["kind"] ?? ""
        self.payload = payload
        state = JobState(rawValue: fields["state"] ?? "") ?? .ready
        priority = Int(fields["pri"] ?? "") ?? 0
        attempts = Int(fields["att"] ?? "") ?? 0
        maxAttempts = Int(fields["maxatt"] ?? "").flatMap { $0 > 0 ? $0 : nil }
        backoff = fields["backoff"].flatMap { RetryPolicy(encoded: $0) }
        timeout = Int64(fields["tmo"] ?? "").flatMap { $0 > 0 ? Duration.milliseconds($0) : nil }
        uniqueKey = fields["ukey"].flatMap { $0.isEmpty ? nil : $0 }
        createdAt = Date(millis: fields["ctime"]) ?? Date(timeIntervalSince1970: 0)
        runAt = Date(millis: fields["rtime"])
        startedAt = Date(millis: fields["stime"])
        finishedAt = Date(millis: fields["ftime"])
        deadReason = fields["reason"]
        lastError = fields["err"].flatMap { $0.isEmpty ? nil : $0 }
        errors = Self.decodeErrors(fields["errs"])
        stalls = Int(fields["stalls"] ?? "") ?? 0
        result = fields["result"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func decodeErrors(_ text: String?) -> [JobErrorRecord] {
        guard let text, let data = text.data(using: .utf8),
              let items = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return items.map { item in
            JobErrorRecord(attempt: (item["attempt"] as? NSNumber)?.intValue ?? 0,
                           at: Date(timeIntervalSince1970: ((item["at"] as? NSNumber)?.doubleValue ?? 0) / 1000),
                           error: item["error"] as? String ?? "",
                           kind: item["kind"] as? String ?? "")
        }
    }
}

/// A job leased to a worker by `fetch`: what a handler needs, plus the lease token that proves ownership.
public struct LeasedJob: Sendable, Hashable {
    /// The job id.
    public var id: String
    /// The lease token; complete/fail/renew with an old token are rejected.
    public var token: String
    /// The queue it came from.
    public var queue: String
    /// Its handler kind.
    public var kind: String
    /// Its JSON payload bytes.
    public var payload: [UInt8]
    /// This attempt's number (1-based).
    public var attempt: Int
    /// Its own max attempts, or nil for the worker's default.
    public var maxAttempts: Int?
    /// Its own backoff text form, or nil for the worker's default.
    public var backoff: String?
    /// Its own timeout, or nil for the worker's default.
    public var timeout: Duration?
    /// When it was enqueued.
    public var createdAt: Date
    /// Its priority.
    public var priority: Int
    /// The previous attempt's error, if any.
    public var lastError: String?
    /// How often its lease expired before.
    public var stalls: Int
}

/// One row of a job listing.
public struct JobSummary: Sendable, Hashable {
    /// The job id.
    public var id: String
    /// Its kind ("" when the details of a completed job were not retained).
    public var kind: String
    /// Its state.
    public var state: JobState
    /// Attempts started.
    public var attempts: Int
    /// Its priority.
    public var priority: Int
    /// When it was enqueued, if known.
    public var createdAt: Date?
    /// When it is due (scheduled), or its lease deadline (active), or when it finished (dead/done).
    public var score: Double
    /// The latest error.
    public var lastError: String?
}

/// A page of a listing and the cursor of the next page (nil at the end).
public struct JobPage: Sendable {
    /// The jobs on this page.
    public var jobs: [JobSummary]
    /// Pass back to get the next page; nil when there is none.
    public var nextCursor: String?
}

extension Date {
    init?(millis text: String?) {
        guard let text, let value = Double(text), value > 0 else { return nil }
        self.init(timeIntervalSince1970: value / 1000)
    }

    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
