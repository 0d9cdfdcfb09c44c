import Foundation
import Logging
import Spool
import SpoolWorker

/// The `spool.email` handler: composes the message from the payload (template, attachments), drops
/// recipients on the suppression list, and sends it over SMTP.
///
/// Outcomes: a 4xx reply or a network failure retries; a 5xx reply fails permanently. A 5xx that condemns
/// one recipient (`550 no such user` to `RCPT TO`) puts that address on the `EmailSuppressionList` and the
/// message is sent again at once without it (nothing was delivered, since the transaction stopped before
/// DATA); when no recipient is left the job fails permanently. A payload that cannot become a message
/// (bad address, missing template or variable, attachment outside the root) fails permanently.
/// The Message-ID comes from the job id, so every attempt of a job sends the same one.
public struct EmailHandler: JobHandler {
    /// The JSON payload, see `EmailPayload`.
    public typealias Payload = EmailPayload

    /// Always `spool.email`.
    public let kind = "spool.email"
    /// The SMTP and content settings.
    public let configuration: SMTPConfiguration
    private let composer: EmailComposer
    private let smtp: SMTPClient
    private let suppression: EmailSuppressionList

    /// A handler sending through the server in `configuration`, keeping its suppression list in `client`'s
    /// namespace. Throws if a username or password reference cannot be read now.
    public init(configuration: SMTPConfiguration, client: SpoolClient,
                logger: Logger = Logger(label: "spool.email")) throws(SMTPError) {
        if let name = configuration.username, let reference = SecretReference(name) { _ = try SMTPError.resolving(reference) }
        if let reference = configuration.password { _ = try SMTPError.resolving(reference) }
        self.configuration = configuration
        composer = EmailComposer(configuration: configuration)
        smtp = SMTPClient(configuration: configuration, logger: logger)
        suppression = EmailSuppressionList(client: client)
    }

    /// Composes and sends one message; see the type's documentation for the outcomes.
    public func perform(_ payload: EmailPayload, context: JobContext) async throws -> String? {
        var message: EmailMessage
        do {
            message = try composer.compose(payload, jobID: context.jobID)
        } catch {
            throw error.isPermanent ? JobFailure.permanent(error.description) : JobFailure.retry(error.description)
        }
        let suppression = suppression
        let candidates = message.envelopeRecipients
        var dropped = try await context.blocking { try suppression.reasons(for: candidates) }
        let smtp = smtp
        for _ in 0...candidates.count {
            message.to.removeAll { dropped[$0.normalized] != nil }
            message.cc.removeAll { dropped[$0.normalized] != nil }
            message.bcc.removeAll { dropped[$0.normalized] != nil }
            let recipients = message.envelopeRecipients
            guard !recipients.isEmpty else {
                let details = dropped.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; ")
                throw JobFailure.permanent(EmailError.allRecipientsSuppressed(details: details).description)
            }
            let bytes: [UInt8]
            do {
                bytes = try message.encoded()
            } catch {
                throw JobFailure.permanent(error.description)
            }
            let sender = message.from.address
            do {
                let remaining = context.deadline - ContinuousClock.now
                let receipt = try await context.blocking {
                    try smtp.send(bytes, from: sender, to: recipients, timeout: remaining)
                }
                var summary = "sent <\(message.messageID)> to \(recipients.count) recipient(s): \(receipt.code) \(receipt.message)"
                if !dropped.isEmpty {
                    summary += "; suppressed: " + dropped.keys.sorted().joined(separator: ", ")
                }
                context.logger.info("email sent", metadata: [
                    "message_id": "\(message.messageID)", "recipients": "\(recipients.count)", "suppressed": "\(dropped.count)",
                ])
                return summary
            } catch let error as SMTPError {
                if let address = error.rejectedRecipient {
                    let reason = "\(error.rejectionSummary) (\(Self.timestamp()), job \(context.jobID))"
                    try await context.blocking { try suppression.add(address, reason: reason) }
                    dropped[address.lowercased()] = reason
                    context.logger.warning("email recipient refused; suppressed", metadata: ["address": "\(address)", "reason": "\(reason)"])
                    continue
                }
                throw error.isTemporary ? JobFailure.retry(error.description) : JobFailure.permanent(error.description)
            }
        }
        throw JobFailure.retry("email to \(candidates.count) recipient(s) kept being refused; giving up this attempt")
    }

    private static func timestamp() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}

extension SMTPError {
    /// `550 5.1.1 No such user` for a rejection; the description otherwise.
    var rejectionSummary: String {
        if case .rejected(_, _, let code, let message) = self { return "\(code) \(message)" }
        return description
    }
}
