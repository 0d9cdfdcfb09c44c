/// Why an email job could not be composed or sent. Each case reads as one line naming the thing and the fix;
/// `isPermanent` says whether retrying could help.
public enum EmailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An address in the payload (or the configured default) is not a plain `user@domain` mailbox.
    case invalidAddress(field: String, value: String, reason: String)
    /// The payload names no recipient at all.
    case noRecipients
    /// Neither the payload nor the configuration gives a From address.
    case noSender
    /// The message has no text and no html body (and no template supplying one).
    case noBody
    /// A header value in the payload is unusable (e.g. contains a line break).
    case invalidHeader(name: String, reason: String)
    /// The payload names a template but the configuration has no templates directory.
    case templatesNotConfigured(template: String)
    /// The named template has none of its files (or an invalid name).
    case templateNotFound(name: String, directory: String)
    /// A template file does not parse.
    case templateSyntax(file: String, reason: String)
    /// Rendering would leave variables without a value.
    case missingTemplateVariables(template: String, names: [String])
    /// The payload asks for attachments but the configuration has no attachments root.
    case attachmentsNotConfigured
    /// An attachment names a root that `attachment_roots` does not define.
    case unknownAttachmentRoot(String, known: [String])
    /// An attachment path is absolute, climbs with `..`, or resolves (via a symlink) outside the root.
    case attachmentOutsideRoot(path: String)
    /// An attachment does not exist or is not a regular file.
    case attachmentNotFound(path: String)
    /// An attachment could not be read.
    case attachmentUnreadable(path: String, reason: String)
    /// The attachments together exceed the configured limit.
    case attachmentsTooLarge(total: Int, limit: Int)
    /// Every recipient is on the suppression list.
    case allRecipientsSuppressed(details: String)

    /// Whether retrying the same payload can never succeed (all cases but unreadable attachments are).
    public var isPermanent: Bool {
        if case .attachmentUnreadable = self { return false }
        return true
    }

    /// One line for logs and job errors.
    public var description: String {
        switch self {
        case .invalidAddress(let field, let value, let reason):
            return "email \(field) address \"\(value)\" is invalid: \(reason)"
        case .noRecipients:
            return "email has no recipients: give at least one address in to, cc or bcc"
        case .noSender:
            return "email has no From address: set \"from\" in the payload or handlers.email.from in the configuration"
        case .noBody:
            return "email has no body: give \"text\" and/or \"html\", or a template with a .text or .html file"
        case .invalidHeader(let name, let reason):
            return "email header \(name) is invalid: \(reason)"
        case .templatesNotConfigured(let template):
            return "email template \"\(template)\" requested but handlers.email.templates is not configured"
        case .templateNotFound(let name, let directory):
            return "email template \"\(name)\" not found in \(directory): expected \(name).subject/.text/.html.mustache"
        case .templateSyntax(let file, let reason):
            return "email template \(file) does not parse: \(reason)"
        case .missingTemplateVariables(let template, let names):
            return "email template \"\(template)\" uses variables missing from data: \(names.joined(separator: ", "))"
        case .attachmentsNotConfigured:
            return "email attachments requested but handlers.email.attachments_root is not configured"
        case .unknownAttachmentRoot(let name, let known):
            return "email attachment root \"\(name)\" is not configured (handlers.email.attachment_roots has: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        case .attachmentOutsideRoot(let path):
            return "email attachment \"\(path)\" is outside the attachments root: use a relative path without .. or symlink escapes"
        case .attachmentNotFound(let path):
            return "email attachment \"\(path)\" does not exist or is not a regular file"
        case .attachmentUnreadable(let path, let reason):
            return "email attachment \"\(path)\" cannot be read: \(reason)"
        case .attachmentsTooLarge(let total, let limit):
            return "email attachments total \(total) bytes, over the limit of \(limit) (handlers.email.attachments_max_bytes)"
        case .allRecipientsSuppressed(let details):
            return "every recipient is on the email suppression list: \(details)"
        }
    }
}
