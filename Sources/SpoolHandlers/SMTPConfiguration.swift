import Foundation
import Spool
/// How the email handler reaches its SMTP server and where it finds templates and attachments.
///
/// From `handlers.email` in `jobs/spool.yaml`:
/// ```yaml
/// handlers:
///   email:
///     url: smtp://mail.example.com:587      # or smtps://host:465 (implicit TLS)
///     starttls: required                      # required (default) | opportunistic | none; smtp:// only
///     username: env:SMTP_USER                 # a reference (env:, file:, credential:) or a literal name
///     password: credential:smtp-password      # a reference only: env:NAME, file:/path, credential:NAME
///     connect_timeout: 10s                    # 500ms, 10s, 2m, or a bare number of seconds
///     timeout: 60s                            # the whole exchange
///     ca_file: /etc/spool/relay-ca.pem        # trust this CA bundle instead of the system's (private relays)
///     from: "Shop <shop@example.com>"         # default From
///     attachments_root: /var/lib/spool/attachments
///     attachment_roots:                       # further roots a payload picks with "root": "<name>";
///       invoices: /var/lib/billing/invoices   #   spoold adds `reports` (the reports root) by itself
///     attachments_max_bytes: 10485760         # all attachments of one message together
///     templates: templates/email              # relative paths are relative to the file's directory
/// ```
public struct SMTPConfiguration: Sendable, Hashable {
    /// Transport security.
    public enum Security: String, Sendable, Hashable {
        /// `smtp://` and STARTTLS must succeed.
        case starttlsRequired = "required"
        /// `smtp://` with STARTTLS when the server offers it.
        case starttlsOpportunistic = "opportunistic"
        /// `smtp://` in the clear (loopback relays, tests).
        case none
        /// `smtps://`: TLS from the first byte.
        case implicitTLS = "smtps"
    }

    /// The server's host name or IP address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// Transport security.
    public var security: Security
    /// A literal user name or a secret reference (`env:`, `file:`, `credential:`).
    public var username: String?
    /// Where the password comes from.
    public var password: SecretReference?
    /// Limit on connecting (TCP and TLS).
    public var connectTimeout: Duration
    /// Limit on one whole SMTP exchange.
    public var timeout: Duration
    /// The From address when a payload gives none.
    public var defaultFrom: EmailAddress?
    /// The directory attachment paths are confined to; nil refuses attachments.
    public var attachmentsRoot: String?
    /// A PEM bundle of the CAs trusted for the server's certificate; nil trusts the system's.
    public var caFile: String?
    /// Further attachment directories by name, picked by an attachment's `root`.
    public var attachmentRoots: [String: String] = [:]
    /// The most bytes the attachments of one message may total.
    public var attachmentsMaxBytes: Int
    /// The directory of `<name>.{subject,text,html}.mustache` templates; nil refuses templates.
    public var templatesDirectory: String?

    /// A configuration built in code.
    public init(host: String, port: Int = 25, security: Security = .starttlsRequired, username: String? = nil,
                password: SecretReference? = nil, connectTimeout: Duration = .seconds(10),
                timeout: Duration = .seconds(60), defaultFrom: EmailAddress? = nil, attachmentsRoot: String? = nil,
                attachmentsMaxBytes: Int = 10 << 20, templatesDirectory: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.defaultFrom = defaultFrom
        self.attachmentsRoot = attachmentsRoot
        self.attachmentsMaxBytes = attachmentsMaxBytes
        self.templatesDirectory = templatesDirectory
    }

    /// The URL libcurl connects to.
    public var url: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return "\(security == .implicitTLS ? "smtps" : "smtp")://\(bracketed):\(port)"
    }

    /// `host:port`, for messages.
    public var server: String { "\(host):\(port)" }

    /// Parses the `key` section (e.g. `handlers.email`) of configuration `file`; errors name the file, the
    /// full key and the problem. Unknown keys are refused, so typos do not pass silently.
    public init(dictionary: [String: Any], file: String, key: String) throws(SMTPConfigurationError) {
        func fail(_ name: String, _ problem: String) -> SMTPConfigurationError {
            SMTPConfigurationError(file: file, key: "\(key).\(name)", problem: problem)
        }
        let known: Set<String> = ["url", "starttls", "username", "password", "connect_timeout", "timeout", "from",
                                  "attachments_root", "attachment_roots", "attachments_max_bytes", "templates", "ca_file"]
        if let unknown = dictionary.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail(unknown, "unknown key; expected one of \(known.sorted().joined(separator: ", "))")
        }
        func string(_ name: String) throws(SMTPConfigurationError) -> String? {
            guard let value = dictionary[name] else { return nil }
            guard let text = value as? String, !text.isEmpty else { throw fail(name, "must be a non-empty string") }
            return text
        }
        let baseDirectory: String = {
            guard let slash = file.lastIndex(of: "/") else { return "." }
            return String(file[..<slash])
        }()
        func absolute(_ text: String) -> String { text.hasPrefix("/") ? text : baseDirectory + "/" + text }
        func path(_ name: String) throws(SMTPConfigurationError) -> String? {
            try string(name).map(absolute)
        }

        guard let urlText = try string("url") else {
            throw fail("url", "missing; set it to smtp://host:port or smtps://host:port")
        }
        let (scheme, host, port) = try Self.parseURL(urlText) { problem in fail("url", problem) }
        var security: Security = scheme == "smtps" ? .implicitTLS : .starttlsRequired
        if let mode = try string("starttls") {
            guard scheme == "smtp" else { throw fail("starttls", "only applies to smtp:// URLs (smtps:// is TLS from the start)") }
            guard let parsed = Security(rawValue: mode), parsed != .implicitTLS else {
                throw fail("starttls", "must be required, opportunistic or none (got \"\(mode)\")")
            }
            security = parsed
        }
        self.init(host: host, port: port, security: security)
        username = try string("username")
        if let text = try string("password") {
            guard let reference = SecretReference(text) else {
                throw fail("password", "must be a reference (env:NAME, file:/path or credential:NAME), never the password itself")
            }
            password = reference
        }
        if password != nil, username == nil { throw fail("username", "missing; a password needs a username") }
        if let value = dictionary["connect_timeout"] {
            connectTimeout = try Self.duration(value) { problem in fail("connect_timeout", problem) }
        }
        if let value = dictionary["timeout"] {
            timeout = try Self.duration(value) { problem in fail("timeout", problem) }
        }
        if let text = try string("from") {
            do {
                defaultFrom = try EmailAddress(parsing: text, field: "from")
            } catch {
                throw fail("from", error.description)
            }
        }
        attachmentsRoot = try path("attachments_root")
        if let value = dictionary["attachment_roots"] {
            guard let table = value as? [String: Any] else { throw fail("attachment_roots", "must map names to folders, like {invoices: /srv/invoices}") }
            for (name, folder) in table {
                guard let text = folder as? String, !text.isEmpty else { throw fail("attachment_roots.\(name)", "must be a folder path") }
                attachmentRoots[name] = absolute(text)
            }
        }
        if let value = dictionary["attachments_max_bytes"] {
            guard let bytes = value as? Int, bytes > 0 else { throw fail("attachments_max_bytes", "must be a positive integer (bytes)") }
            attachmentsMaxBytes = bytes
        }
        templatesDirectory = try path("templates")
        caFile = try path("ca_file")
        if let caFile {
            guard security != .none else { throw fail("ca_file", "only applies with TLS (smtps:// or starttls required/opportunistic)") }
            guard FileManager.default.isReadableFile(atPath: caFile) else { throw fail("ca_file", "cannot read \(caFile)") }
        }
    }

    private static func parseURL(
        _ text: String, _ fail: (String) -> SMTPConfigurationError
    ) throws(SMTPConfigurationError) -> (String, String, Int) {
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("smtp://") { scheme = "smtp" } else if lower.hasPrefix("smtps://") { scheme = "smtps" } else {
            throw fail("must start with smtp:// or smtps:// (got \"\(text)\")")
        }
        var rest = String(text.dropFirst(scheme.count + 3))
        if rest.hasSuffix("/") { rest.removeLast() }
        if rest.contains("@") { throw fail("must not contain credentials; use username and password references") }
        if rest.contains("/") || rest.contains("?") { throw fail("must be scheme://host:port with no path (got \"\(text)\")") }
        var host = rest
        var port = scheme == "smtps" ? 465 : 587
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw fail("unclosed [ in IPv6 host") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else { throw fail("port must be 1–65535") }
                port = number
            } else if !after.isEmpty {
                throw fail("unexpected text after the IPv6 host")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else {
                throw fail("port must be 1–65535 (got \"\(text)\")")
            }
            port = number
        }
        guard !host.isEmpty else { throw fail("has no host (got \"\(text)\")") }
        return (scheme, host, port)
    }

    private static func duration(_ value: Any, _ fail: (String) -> SMTPConfigurationError) throws(SMTPConfigurationError) -> Duration {
        guard let duration = Duration(configurationValue: value), duration > .zero else {
            throw fail("must be \(Duration.configurationForms), above zero (got \(value))")
        }
        return duration
    }
}
