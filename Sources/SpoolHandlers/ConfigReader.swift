import Foundation
import Spool

/// A configuration error type that can say "this key of this file holds something unusable".
/// `WebhookConfigurationError` and `FileHandlerConfigurationError` conform with their `invalid` case.
protocol InvalidConfigurationError: Error {
    /// The error for `key` of `file`, with `problem` saying what is wrong and how to fix it.
    static func invalid(file: String, key: String, problem: String) -> Self
}

extension WebhookConfigurationError: InvalidConfigurationError {}
extension FileHandlerConfigurationError: InvalidConfigurationError {}

/// Typed reads from a YAML-decoded dictionary, each failure naming the file and key, shared by the handler
/// configurations so that a duration, a list or an SSRF policy is read the same way everywhere.
struct ConfigReader<Failure: InvalidConfigurationError> {
    let file: String

    func invalid(_ key: String, _ problem: String) -> Failure {
        .invalid(file: file, key: key, problem: problem)
    }

    func rejectUnknown(_ dictionary: [String: Any], allowed: Set<String>, at key: String) throws(Failure) {
        if let unknown = dictionary.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw invalid("\(key).\(unknown)", "unknown key — expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    func string(_ value: Any?, at key: String) throws(Failure) -> String? {
        guard let value else { return nil }
        guard let text = value as? String else { throw invalid(key, "expected a string") }
        return text
    }

    /// Strings, numbers and booleans as text (header values written without quotes).
    func scalarText(_ value: Any?, at key: String) throws(Failure) -> String? {
        switch value {
        case nil: return nil
        case let text as String: return text
        case let number as Int: return String(number)
        case let number as Double: return String(number)
        case let flag as Bool: return flag ? "true" : "false"
        default: throw invalid(key, "expected a single value, not a list or mapping")
        }
    }

    func bool(_ value: Any?, at key: String) throws(Failure) -> Bool? {
        switch value {
        case nil: return nil
        case let flag as Bool: return flag
        case let text as String where ["true", "yes", "on"].contains(text.lowercased()): return true
        case let text as String where ["false", "no", "off"].contains(text.lowercased()): return false
        default: throw invalid(key, "expected true or false")
        }
    }

    /// A whole number in `range`.
    func integer(_ value: Any?, at key: String, in range: ClosedRange<Int>) throws(Failure) -> Int? {
        guard let value else { return nil }
        guard !(value is Bool), let number = value as? Int, range.contains(number) else {
            throw invalid(key, "expected a whole number from \(range.lowerBound) to \(range.upperBound) (got \(value))")
        }
        return number
    }

    func list(_ value: Any?, at key: String) throws(Failure) -> [Any] {
        guard let value else { return [] }
        guard let items = value as? [Any] else { throw invalid(key, "expected a list") }
        return items
    }

    /// A positive duration (`Duration(configurationValue:)`: `500ms`, `10s`, `2m`, `1h`, or bare seconds); nil when absent.
    func duration(_ value: Any?, at key: String) throws(Failure) -> Duration? {
        guard let value else { return nil }
        guard let duration = Duration(configurationValue: value), duration > .zero else {
            throw invalid(key, "\"\(value)\" is not \(Duration.configurationForms), above zero")
        }
        return duration
    }

    /// An SSRF policy from `<key>.<privateKey>` (a boolean), `<key>.<networksKey>` (CIDR blocks) and, when
    /// `hostsKey` is given, `<key>.<hostsKey>` (host names allowed to reach any address).
    func policy(allowPrivate: Any?, networks: Any?, hosts: Any? = nil, at key: String, privateKey: String,
                networksKey: String, hostsKey: String? = nil) throws(Failure) -> SSRFPolicy {
        let allow = try bool(allowPrivate, at: "\(key).\(privateKey)") ?? false
        var parsed: [IPNetwork] = []
        for (index, value) in try list(networks, at: "\(key).\(networksKey)").enumerated() {
            guard let text = value as? String, let network = IPNetwork(text) else {
                throw invalid("\(key).\(networksKey)[\(index)]", "not an IP address or CIDR block — write it like 10.1.0.0/16 or 127.0.0.1/32")
            }
            parsed.append(network)
        }
        var names: [String] = []
        if let hostsKey {
            for (index, value) in try list(hosts, at: "\(key).\(hostsKey)").enumerated() {
                guard let text = value as? String, !text.isEmpty,
                      !text.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "@" }) else {
                    throw invalid("\(key).\(hostsKey)[\(index)]", "not a host name — write it as it appears in URLs, like files.example.com")
                }
                names.append(text)
            }
        }
        return SSRFPolicy(allowPrivate: allow, allowedNetworks: parsed, allowedHosts: names)
    }
}
