import Foundation

/// Why an SMTP delivery failed. `isTemporary` tells a retry (4xx replies, network trouble) from a
/// permanent refusal (5xx replies).
public enum SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The SMTP stage a reply answered.
    public enum Stage: Sendable, Hashable, CustomStringConvertible {
        /// Stages before and around the envelope.
        case greeting, hello, startTLS, authentication, mailFrom, data, other
        /// `RCPT TO` for this address.
        case recipient(String)

        /// The stage as the SMTP command name.
        public var description: String {
            switch self {
            case .greeting: return "greeting"
            case .hello: return "EHLO"
            case .startTLS: return "STARTTLS"
            case .authentication: return "AUTH"
            case .mailFrom: return "MAIL FROM"
            case .data: return "DATA"
            case .other: return "command"
            case .recipient(let address): return "RCPT TO <\(address)>"
            }
        }
    }

    /// The server answered a command with a 4xx or 5xx reply.
    case rejected(server: String, stage: Stage, code: Int, message: String)
    /// No TCP connection could be made (refused, unreachable, DNS).
    case connectFailed(server: String, reason: String)
    /// The connection or the whole exchange took too long.
    case timedOut(server: String, reason: String)
    /// TLS could not be set up (STARTTLS required but not offered, certificate problems).
    case tls(server: String, reason: String)
    /// Another libcurl failure.
    case transfer(server: String, code: Int, reason: String)
    /// A username or password reference could not be read.
    case secretUnavailable(reference: String, reason: String)
    /// libcurl could not be initialised.
    case initializationFailed(reason: String)

    /// Whether the same message may succeed later: 4xx replies and transport failures.
    public var isTemporary: Bool {
        switch self {
        case .rejected(_, _, let code, _): return code < 500
        case .initializationFailed: return false
        default: return true
        }
    }

    /// For a 5xx `RCPT TO` reply that condemns the address itself (550/551/553, or an enhanced status
    /// 5.1.x), the address; such recipients go on the suppression list.
    public var rejectedRecipient: String? {
        guard case .rejected(_, .recipient(let address), let code, let message) = self else { return nil }
        if [550, 551, 553].contains(code) || message.hasPrefix("5.1.") { return address }
        return nil
    }

    /// One line: what failed, where, and the fix when there is one.
    public var description: String {
        switch self {
        case .rejected(let server, let stage, let code, let message):
            return "SMTP server \(server) answered \(stage) with \(code) \(message)"
        case .connectFailed(let server, let reason):
            return "cannot connect to SMTP server \(server): \(reason) — is it running and is handlers.email.url right?"
        case .timedOut(let server, let reason):
            return "SMTP server \(server) timed out: \(reason)"
        case .tls(let server, let reason):
            return "TLS with SMTP server \(server) failed: \(reason) — check handlers.email.starttls and the server's certificate"
        case .transfer(let server, let code, let reason):
            return "SMTP transfer to \(server) failed (curl \(code)): \(reason)"
        case .secretUnavailable(let reference, let reason):
            return "SMTP secret \(reference) is unavailable: \(reason)"
        case .initializationFailed(let reason):
            return "libcurl could not be initialised: \(reason)"
        }
    }
}

extension SMTPError {
    /// Reads `reference` now, turning a failure into ``secretUnavailable(reference:reason:)``.
    static func resolving(_ reference: SecretReference,
                          environment: [String: String] = ProcessInfo.processInfo.environment) throws(SMTPError) -> String {
        do {
            return try reference.resolve(environment: environment)
        } catch {
            throw .secretUnavailable(reference: error.reference, reason: error.reason)
        }
    }
}
