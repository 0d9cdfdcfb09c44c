import Foundation

/// One email ready to send: headers, bodies, attachments and the SMTP envelope. `encoded()` turns it into
/// RFC 5322 / MIME bytes with CRLF line endings. Bcc recipients are part of the envelope only, never a header.
public struct EmailMessage: Sendable, Hashable {
    /// The author (From header and envelope sender).
    public var from: EmailAddress
    /// Primary recipients (To header).
    public var to: [EmailAddress]
    /// Copy recipients (Cc header).
    public var cc: [EmailAddress]
    /// Envelope-only recipients.
    public var bcc: [EmailAddress]
    /// Where replies go (Reply-To header).
    public var replyTo: EmailAddress?
    /// The subject; non-ASCII text is sent as RFC 2047 encoded-words.
    public var subject: String
    /// The Date header.
    public var date: Date
    /// The Message-ID without angle brackets, e.g. `job-123.spool@example.com`.
    public var messageID: String
    /// The List-Unsubscribe header value (angle-bracketed URIs).
    public var listUnsubscribe: String?
    /// Adds `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
    public var listUnsubscribePost: Bool
    /// The plain-text body.
    public var text: String?
    /// The html body (with `text`, the message is multipart/alternative).
    public var html: String?
    /// Files attached (multipart/mixed).
    public var attachments: [EmailAttachment]

    /// A message; `validate()` checks it before encoding.
    public init(from: EmailAddress, to: [EmailAddress], cc: [EmailAddress] = [], bcc: [EmailAddress] = [],
                replyTo: EmailAddress? = nil, subject: String, date: Date = Date(), messageID: String,
                listUnsubscribe: String? = nil, listUnsubscribePost: Bool = false, text: String? = nil,
                html: String? = nil, attachments: [EmailAttachment] = []) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.listUnsubscribe = listUnsubscribe
        self.listUnsubscribePost = listUnsubscribePost
        self.text = text
        self.html = html
        self.attachments = attachments
    }

    /// The Message-ID for job `jobID` sent from `domain`: the same on every attempt of the job, so a
    /// receiver can tell a retried message from a new one.
    public static func messageID(jobID: String, domain: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-.".utf8)
        let local = String(decoding: jobID.utf8.map { allowed.contains($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
            .split(separator: ".").joined(separator: ".")
        return "\(local.isEmpty ? "job" : local).spool@\(domain)"
    }

    /// Every envelope recipient (to, cc, bcc), deduplicated case-insensitively, in order.
    public var envelopeRecipients: [String] {
        var seen: Set<String> = []
        return (to + cc + bcc).compactMap { seen.insert($0.normalized).inserted ? $0.address : nil }
    }

    /// Checks what the types cannot: at least one recipient and one body, and safe header values.
    public func validate() throws(EmailError) {
        if to.isEmpty && cc.isEmpty && bcc.isEmpty { throw .noRecipients }
        if text == nil && html == nil { throw .noBody }
        if let listUnsubscribe {
            let ok = listUnsubscribe.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
            if !ok || !listUnsubscribe.trimmingASCIIWhitespace().hasPrefix("<") || !listUnsubscribe.trimmingASCIIWhitespace().hasSuffix(">") {
                throw .invalidHeader(name: "List-Unsubscribe", reason: "must be ASCII <uri> items separated by commas, without line breaks")
            }
        } else if listUnsubscribePost {
            throw .invalidHeader(name: "List-Unsubscribe-Post", reason: "needs a List-Unsubscribe header (list_unsubscribe)")
        }
    }
}
