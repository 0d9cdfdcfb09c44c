import Spool

/// Where a finished report goes, from the `delivery:` section of its definition. Each delivery is a job of
/// its own (`spool.email`, `spool.webhook`), enqueued after the files are in place, so each retries on its own
/// and a slow mail server never re-runs the query.
///
/// ```yaml
/// delivery:
///   email:
///     to: [ops@example.com]          # also cc, bcc; at least one recipient
///     from: Reports <reports@example.com>   # default: handlers.email.from
///     subject: Daily sign-ups       # default: "Report <name>: <rows> rows"
///     template: report-ready        # optional email template; gets the manifest as data
///     attach: true                  # attach the files (default); too large → a note with their paths instead
///     queue: emails                 # default: the report job's own queue
///   webhook:
///     endpoint: analytics           # a configured webhook endpoint
///     event: report.completed       # default
///     queue: webhooks               # default: the report job's own queue
/// ```
public struct ReportDelivery: Sendable, Hashable {
    /// An email about the finished report, optionally with its files attached.
    public struct Email: Sendable, Hashable {
        /// Recipients in To.
        public var to: [String]
        /// Recipients in Cc.
        public var cc: [String]
        /// Recipients in the envelope only.
        public var bcc: [String]
        /// The From address; nil uses the email handler's default.
        public var from: String?
        /// The subject; nil gives `Report <name>: <rows> rows`.
        public var subject: String?
        /// An email template to render with the manifest as data; nil sends a generated plain-text summary.
        public var template: String?
        /// Attach the report's files (when they fit the attachment limit).
        public var attach: Bool
        /// The queue of the email job; nil means the report job's queue.
        public var queue: String?

        /// An email delivery; at least one of `to`, `cc`, `bcc` should name someone.
        public init(to: [String], cc: [String] = [], bcc: [String] = [], from: String? = nil, subject: String? = nil,
                    template: String? = nil, attach: Bool = true, queue: String? = nil) {
            self.to = to
            self.cc = cc
            self.bcc = bcc
            self.from = from
            self.subject = subject
            self.template = template
            self.attach = attach
            self.queue = queue
        }
    }

    /// A webhook notification carrying the manifest.
    public struct Webhook: Sendable, Hashable {
        /// The configured endpoint's name.
        public var endpoint: String
        /// The event type sent.
        public var event: String
        /// The queue of the webhook job; nil means the report job's queue.
        public var queue: String?

        /// A webhook delivery to the configured endpoint `endpoint`.
        public init(endpoint: String, event: String = "report.completed", queue: String? = nil) {
            self.endpoint = endpoint
            self.event = event
            self.queue = queue
        }
    }

    /// The email delivery, if any.
    public var email: Email?
    /// The webhook delivery, if any.
    public var webhook: Webhook?

    /// No delivery: the files are only written.
    public init(email: Email? = nil, webhook: Webhook? = nil) {
        self.email = email
        self.webhook = webhook
    }

    /// Whether anything is delivered.
    public var isEmpty: Bool { email == nil && webhook == nil }

    /// Parses the `delivery:` mapping of a definition; errors name `file` and the key.
    ///
    /// - Throws: ``ReportError/invalidDefinition(file:key:problem:)``.
    public init(dictionary: [String: Any], file: String) throws(ReportError) {
        func fail(_ key: String, _ problem: String) -> ReportError { .invalidDefinition(file: file, key: "delivery." + key, problem: problem) }
        try Self.refuseUnknown(dictionary, known: ["email", "webhook"], fail)
        if let raw = dictionary["email"] {
            guard let map = raw as? [String: Any] else { throw fail("email", "must be a mapping with to, subject, attach, …") }
            try Self.refuseUnknown(map, known: ["to", "cc", "bcc", "from", "subject", "template", "attach", "queue"]) { fail("email." + $0, $1) }
            func addresses(_ key: String) throws(ReportError) -> [String] {
                guard let value = map[key] else { return [] }
                let list: [Any] = (value as? [Any]) ?? [value]
                var result: [String] = []
                for item in list {
                    guard let text = item as? String else { throw fail("email.\(key)", "must be a list of addresses (got \(item))") }
                    do { _ = try EmailAddress(parsing: text, field: key) } catch { throw fail("email.\(key)", error.description) }
                    result.append(text)
                }
                return result
            }
            let to = try addresses("to"), cc = try addresses("cc"), bcc = try addresses("bcc")
            guard !(to.isEmpty && cc.isEmpty && bcc.isEmpty) else { throw fail("email.to", "missing — name at least one recipient") }
            let from = try Self.string(map, "from") { fail("email.from", $0) }
            if let from {
                do { _ = try EmailAddress(parsing: from, field: "from") } catch { throw fail("email.from", error.description) }
            }
            var attach = true
            if let value = map["attach"] {
                guard let flag = value as? Bool else { throw fail("email.attach", "must be true or false (got \(value))") }
                attach = flag
            }
            email = Email(to: to, cc: cc, bcc: bcc, from: from,
                          subject: try Self.string(map, "subject") { fail("email.subject", $0) },
                          template: try Self.string(map, "template") { fail("email.template", $0) },
                          attach: attach, queue: try Self.queue(map) { fail("email.queue", $0) })
        }
        if let raw = dictionary["webhook"] {
            guard let map = raw as? [String: Any] else { throw fail("webhook", "must be a mapping with endpoint and event") }
            try Self.refuseUnknown(map, known: ["endpoint", "event", "queue"]) { fail("webhook." + $0, $1) }
            guard let endpoint = try Self.string(map, "endpoint", { fail("webhook.endpoint", $0) }) else {
                throw fail("webhook.endpoint", "missing — the name of an endpoint under handlers.webhook.endpoints")
            }
            webhook = Webhook(endpoint: endpoint, event: try Self.string(map, "event") { fail("webhook.event", $0) } ?? "report.completed",
                              queue: try Self.queue(map) { fail("webhook.queue", $0) })
        }
    }

    private static func refuseUnknown(_ map: [String: Any], known: Set<String>,
                                      _ fail: (String, String) -> ReportError) throws(ReportError) {
        if let unknown = map.keys.filter({ !known.contains($0) }).sorted().first {
            throw fail(unknown, "unknown key — expected one of \(known.sorted().joined(separator: ", "))")
        }
    }

    private static func string(_ map: [String: Any], _ key: String, _ fail: (String) -> ReportError) throws(ReportError) -> String? {
        guard let value = map[key] else { return nil }
        guard let text = value as? String, !text.isEmpty else { throw fail("must be a non-empty string (got \(value))") }
        return text
    }

    private static func queue(_ map: [String: Any], _ fail: (String) -> ReportError) throws(ReportError) -> String? {
        guard let name = try string(map, "queue", fail) else { return nil }
        do { try QueueName.validate(name) } catch { throw fail(error.description.replacingOccurrences(of: "invalid job: ", with: "")) }
        return name
    }
}
