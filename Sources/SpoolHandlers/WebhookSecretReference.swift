import Foundation

/// Where a webhook signing secret lives; configuration holds only the reference, never the secret.
///
/// Written as `env:NAME` (an environment variable), `file:/path` (a file; surrounding whitespace ignored) or
/// `credential:NAME` (a systemd credential: the file `$CREDENTIALS_DIRECTORY/NAME`). The secret itself must
/// be a Standard Webhooks secret, `whsec_<base64>`.
public enum WebhookSecretReference: Sendable, Hashable, CustomStringConvertible {
    /// An environment variable.
    case environment(String)
    /// A file, by absolute or working-directory-relative path.
    case file(String)
    /// A systemd credential, read from `$CREDENTIALS_DIRECTORY/<name>`.
    case credential(String)

    /// Parses `env:NAME`, `file:/path` or `credential:NAME`; nil for anything else (including a literal secret).
    public init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon]
        let rest = String(text[text.index(after: colon)...])
        guard !rest.isEmpty else { return nil }
        switch scheme {
        case "env":
            guard !rest.contains("=") else { return nil }
            self = .environment(rest)
        case "file":
            self = .file(rest)
        case "credential":
            guard !rest.contains("/") else { return nil }
            self = .credential(rest)
        default:
            return nil
        }
    }

    /// The reference as written: `env:NAME`, `file:/path`, `credential:NAME`.
    public var description: String {
        switch self {
        case .environment(let name): return "env:\(name)"
        case .file(let path): return "file:\(path)"
        case .credential(let name): return "credential:\(name)"
        }
    }

    /// Reads and parses the secret. `environment` stands in for the process environment (tests pass their own).
    /// Throws `secretUnavailable` naming `endpoint`, the reference and the fix; never the secret.
    public func resolve(endpoint: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(WebhookConfigurationError) -> WebhookSecret
    {
        let text: String
        switch self {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw unavailable(endpoint, "environment variable \(name) is not set — export it (whsec_…) in the daemon's environment")
            }
            text = value
        case .file(let path):
            text = try read(path, endpoint: endpoint)
        case .credential(let name):
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                throw unavailable(endpoint, "CREDENTIALS_DIRECTORY is not set — load the credential with LoadCredential= in the systemd unit, or use env: or file:")
            }
            text = try read(directory + "/" + name, endpoint: endpoint)
        }
        do {
            return try WebhookSecret(text)
        } catch {
            throw unavailable(endpoint, error.description)
        }
    }

    private func read(_ path: String, endpoint: String) throws(WebhookConfigurationError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw unavailable(endpoint, "cannot read \(path) — check that the file exists and the daemon's user may read it")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func unavailable(_ endpoint: String, _ problem: String) -> WebhookConfigurationError {
        .secretUnavailable(endpoint: endpoint, reference: description, problem: problem)
    }
}
