import Foundation

/// Where a secret (an SMTP username or password) comes from; the configuration never holds the value.
///
/// - `env:NAME` — the environment variable NAME;
/// - `file:/path` — the file's contents (one trailing newline removed);
/// - `credential:NAME` — `$CREDENTIALS_DIRECTORY/NAME` (systemd `LoadCredential=`).
public enum SMTPSecretReference: Sendable, Hashable, CustomStringConvertible {
    /// `env:NAME`.
    case environment(String)
    /// `file:/path`.
    case file(String)
    /// `credential:NAME` under `$CREDENTIALS_DIRECTORY`.
    case credential(String)

    /// Parses a reference; nil when `text` is not one (a literal value).
    public init?(parsing text: String) {
        if text.hasPrefix("env:"), text.count > 4 {
            self = .environment(String(text.dropFirst(4)))
        } else if text.hasPrefix("file:"), text.count > 5 {
            self = .file(String(text.dropFirst(5)))
        } else if text.hasPrefix("credential:"), text.count > 11, !text.dropFirst(11).contains("/") {
            self = .credential(String(text.dropFirst(11)))
        } else {
            return nil
        }
    }

    /// One line for logs and job errors.
    public var description: String {
        switch self {
        case .environment(let name): return "env:\(name)"
        case .file(let path): return "file:\(path)"
        case .credential(let name): return "credential:\(name)"
        }
    }

    /// Reads the secret now; throws a one-line reason naming the reference (never the value).
    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SMTPError) -> String {
        switch self {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw .secretUnavailable(reference: description, reason: "environment variable \(name) is not set")
            }
            return value
        case .file(let path):
            return try Self.read(path, reference: description)
        case .credential(let name):
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                throw .secretUnavailable(reference: description, reason: "CREDENTIALS_DIRECTORY is not set (LoadCredential= in the unit?)")
            }
            return try Self.read(directory + "/" + name, reference: description)
        }
    }

    private static func read(_ path: String, reference: String) throws(SMTPError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .secretUnavailable(reference: reference, reason: "cannot read \(path)")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\r\n") { text.removeLast(1) } else if text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else { throw .secretUnavailable(reference: reference, reason: "\(path) is empty") }
        return text
    }
}
