import Foundation

/// Turns an `EmailPayload` into an `EmailMessage`: parses addresses, renders the template (if any), loads
/// attachments from under the configured root, and derives the Message-ID from the job id.
public struct EmailComposer: Sendable {
    /// The handler settings (default From, templates directory, attachments root and limit).
    public let configuration: SMTPConfiguration

    /// A composer for `configuration`.
    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
    }

    /// The message for job `jobID`; throws when the payload cannot become a valid message.
    public func compose(_ payload: EmailPayload, jobID: String, date: Date = Date()) throws(EmailError) -> EmailMessage {
        func parse(_ list: [String], _ field: String) throws(EmailError) -> [EmailAddress] {
            var result: [EmailAddress] = []
            for text in list { result.append(try EmailAddress(parsing: text, field: field)) }
            return result
        }
        let to = try parse(payload.to, "to")
        let cc = try parse(payload.cc, "cc")
        let bcc = try parse(payload.bcc, "bcc")
        if to.isEmpty && cc.isEmpty && bcc.isEmpty { throw .noRecipients }
        let from: EmailAddress
        if let text = payload.from {
            from = try EmailAddress(parsing: text, field: "from")
        } else if let fallback = configuration.defaultFrom {
            from = fallback
        } else {
            throw .noSender
        }
        let replyTo = try payload.replyTo.map { (text) throws(EmailError) in try EmailAddress(parsing: text, field: "reply_to") }

        var subject = payload.subject
        var text = payload.text
        var html = payload.html
        if let name = payload.template {
            guard let directory = configuration.templatesDirectory else { throw .templatesNotConfigured(template: name) }
            let rendered = try EmailTemplates(directory: directory).render(name, data: payload.data)
            subject = subject ?? rendered.subject
            text = text ?? rendered.text
            html = html ?? rendered.html
        }
        var attachments: [EmailAttachment] = []
        if !payload.attachments.isEmpty {
            attachments = try EmailAttachmentLoader(root: configuration.attachmentsRoot, namedRoots: configuration.attachmentRoots,
                                                    maxTotalBytes: configuration.attachmentsMaxBytes).load(payload.attachments)
        }
        let message = EmailMessage(
            from: from, to: to, cc: cc, bcc: bcc, replyTo: replyTo, subject: subject ?? "", date: date,
            messageID: EmailMessage.messageID(jobID: jobID, domain: from.domain),
            listUnsubscribe: payload.listUnsubscribe, listUnsubscribePost: payload.listUnsubscribePost,
            text: text, html: html, attachments: attachments)
        try message.validate()
        return message
    }
}
