import Foundation

/// Where a secret (an SMTP password, a webhook signing secret) comes from; configuration files hold only the
/// reference, never the value:
///
/// - `env:NAME` — the environment variable NAME;
/// - `file:/path` — the file's contents (one trailing line break removed);
/// - `credential:NAME` — the file `$CREDENTIALS_DIRECTORY/NAME` (systemd `LoadCredential=`).
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// `env:NAME`.
    case environment(String)
    /// `file:/path`.
    case file(String)
    /// `credential:NAME` under `$CREDENTIALS_DIRECTORY`.
    case credential(String)

    /// Why a secret could not be read: the reference and a one-line reason with the fix; never the value.
    public struct Unavailable: Error, Sendable, Hashable, CustomStringConvertible {
        /// The reference as written.
        public var reference: String
        /// What is wrong and what to do.
        public var reason: String

        /// A failure to read `reference`, for `reason`.
        public init(reference: String, reason: String) {
            self.reference = reference
            self.reason = reason
        }

        /// `secret <reference>: <reason>`.
        public var description: String { "secret \(reference): \(reason)" }
    }

    /// Parses a reference; nil when `text` is not one (for instance a literal value pasted by mistake).
    public init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let rest = String(text[text.index(after: colon)...])
        guard !rest.isEmpty else { return nil }
        switch text[..<colon] {
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

    /// Reads the secret now. `environment` stands in for the process environment (tests pass their own).
    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(Unavailable) -> String {
        switch self {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw unavailable("environment variable \(name) is not set — export it in the daemon's environment")
            }
            return value
        case .file(let path):
            return try read(path)
        case .credential(let name):
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                throw unavailable("CREDENTIALS_DIRECTORY is not set — load the credential with LoadCredential= in the systemd unit, or use env: or file:")
            }
            return try read(directory + "/" + name)
        }
    }

    private func read(_ path: String) throws(Unavailable) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw unavailable("cannot read \(path) — check that the file exists and the daemon's user may read it")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\r\n") { text.removeLast(1) } else if text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else { throw unavailable("\(path) is empty") }
        return text
    }

    private func unavailable(_ reason: String) -> Unavailable { Unavailable(reference: description, reason: reason) }
}
