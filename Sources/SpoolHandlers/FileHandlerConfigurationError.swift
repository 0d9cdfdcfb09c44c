/// The `spool.file` handler's configuration cannot be used. The message names the file, the key and the fix.
public enum FileHandlerConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A key in the configuration holds something unusable (`problem` says what and how to fix it).
    case invalid(file: String, key: String, problem: String)

    /// A one-line message for people: what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .invalid(let file, let key, let problem): return "\(file): \(key): \(problem)"
        }
    }
}
