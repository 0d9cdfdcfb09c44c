/// The JSON payload of a `spool.email` job.
///
/// ```json
/// { "to": ["a@example.com"], "cc": [], "bcc": [], "from": "Shop <shop@example.com>", "reply_to": "help@example.com",
///   "subject": "Hi", "text": "…", "html": "…", "template": "welcome", "data": { "name": "Ada" },
///   "attachments": [{ "path": "invoices/1.pdf", "filename": "invoice.pdf", "content_type": "application/pdf" },
///                   { "path": "daily-signups/20260101T060000Z-j1.csv", "root": "reports" }],
///   "list_unsubscribe": "<mailto:unsub@example.com>, <https://example.com/unsub>", "list_unsubscribe_post": true }
/// ```
public struct EmailPayload: Codable, Sendable {
    /// One attachment request: a path under the configured attachments root, or under one of the named
    /// `attachment_roots` (the daemon names its reports root `reports`).
    public struct Attachment: Codable, Sendable, Hashable {
        /// Relative path under the root.
        public var path: String
        /// A named root from `attachment_roots`; nil means `attachments_root`.
        public var root: String?
        /// The name the recipient sees (default: the path's last component).
        public var filename: String?
        /// The media type (default: guessed from the file name).
        public var contentType: String?

        /// An attachment request.
        public init(path: String, root: String? = nil, filename: String? = nil, contentType: String? = nil) {
            self.path = path
            self.root = root
            self.filename = filename
            self.contentType = contentType
        }

        enum CodingKeys: String, CodingKey {
            case path, root, filename
            case contentType = "content_type"
        }
    }

    /// Recipients shown in To (`Name <addr>` or `addr`).
    public var to: [String]
    /// Recipients shown in Cc.
    public var cc: [String]
    /// Recipients in the envelope only.
    public var bcc: [String]
    /// The From address (default: the configured `from`).
    public var from: String?
    /// The Reply-To address.
    public var replyTo: String?
    /// The subject (default: the template's subject).
    public var subject: String?
    /// The plain-text body (default: the template's text).
    public var text: String?
    /// The html body (default: the template's html).
    public var html: String?
    /// A template name under the configured templates directory.
    public var template: String?
    /// Values for the template.
    public var data: EmailTemplateValue?
    /// Files under the configured attachments root.
    public var attachments: [Attachment]
    /// The List-Unsubscribe header value, e.g. `<mailto:u@example.com>, <https://example.com/u>`.
    public var listUnsubscribe: String?
    /// Adds `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
    public var listUnsubscribePost: Bool

    /// A payload built in code (producers usually send JSON).
    public init(to: [String], cc: [String] = [], bcc: [String] = [], from: String? = nil, replyTo: String? = nil,
                subject: String? = nil, text: String? = nil, html: String? = nil, template: String? = nil,
                data: EmailTemplateValue? = nil, attachments: [Attachment] = [], listUnsubscribe: String? = nil,
                listUnsubscribePost: Bool = false) {
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.from = from
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.template = template
        self.data = data
        self.attachments = attachments
        self.listUnsubscribe = listUnsubscribe
        self.listUnsubscribePost = listUnsubscribePost
    }

    enum CodingKeys: String, CodingKey {
        case to, cc, bcc, from, subject, text, html, template, data, attachments
        case replyTo = "reply_to"
        case listUnsubscribe = "list_unsubscribe"
        case listUnsubscribePost = "list_unsubscribe_post"
    }

    /// Decodes the JSON payload; absent lists are empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        to = try c.decodeIfPresent([String].self, forKey: .to) ?? []
        cc = try c.decodeIfPresent([String].self, forKey: .cc) ?? []
        bcc = try c.decodeIfPresent([String].self, forKey: .bcc) ?? []
        from = try c.decodeIfPresent(String.self, forKey: .from)
        replyTo = try c.decodeIfPresent(String.self, forKey: .replyTo)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        html = try c.decodeIfPresent(String.self, forKey: .html)
        template = try c.decodeIfPresent(String.self, forKey: .template)
        data = try c.decodeIfPresent(EmailTemplateValue.self, forKey: .data)
        attachments = try c.decodeIfPresent([Attachment].self, forKey: .attachments) ?? []
        listUnsubscribe = try c.decodeIfPresent(String.self, forKey: .listUnsubscribe)
        listUnsubscribePost = try c.decodeIfPresent(Bool.self, forKey: .listUnsubscribePost) ?? false
    }

    /// Encodes the payload as the JSON the handler reads; empty lists, nil values and `false` are left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(to, forKey: .to)
        if !cc.isEmpty { try c.encode(cc, forKey: .cc) }
        if !bcc.isEmpty { try c.encode(bcc, forKey: .bcc) }
        try c.encodeIfPresent(from, forKey: .from)
        try c.encodeIfPresent(replyTo, forKey: .replyTo)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodeIfPresent(text, forKey: .text)
        try c.encodeIfPresent(html, forKey: .html)
        try c.encodeIfPresent(template, forKey: .template)
        try c.encodeIfPresent(data, forKey: .data)
        if !attachments.isEmpty { try c.encode(attachments, forKey: .attachments) }
        try c.encodeIfPresent(listUnsubscribe, forKey: .listUnsubscribe)
        if listUnsubscribePost { try c.encode(true, forKey: .listUnsubscribePost) }
    }
}
