/// The webhook configuration cannot be used: a key is missing or malformed, or a secret reference does not
/// resolve. Each message names the file, the key and the fix, and never repeats a secret.
public enum WebhookConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A key in the configuration file holds something unusable (`problem` says what and how to fix it).
    case invalid(file: String, key: String, problem: String)
    /// A signing secret reference (`env:…`, `file:…`, `credential:…`) could not be read or is not a
    /// Standard Webhooks secret.
    case secretUnavailable(endpoint: String, reference: String, problem: String)

    /// A one-line message for people: what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .invalid(let file, let key, let problem):
            return "\(file): \(key): \(problem)"
        case .secretUnavailable(let endpoint, let reference, let problem):
            return "webhook endpoint \"\(endpoint)\": secret \(reference): \(problem)"
        }
    }
}
