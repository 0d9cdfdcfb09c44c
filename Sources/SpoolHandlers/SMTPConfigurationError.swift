/// A problem in the `handlers.email` settings, naming the file, the key and what to change.
public struct SMTPConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file (e.g. `jobs/spool.yaml`).
    public var file: String
    /// The full key path (e.g. `handlers.email.url`).
    public var key: String
    /// What is wrong and how to fix it.
    public var problem: String

    /// An error about `key` in `file`.
    public init(file: String, key: String, problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    /// One line for logs and job errors.
    public var description: String { "\(file): \(key): \(problem)" }
}
