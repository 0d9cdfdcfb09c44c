import Foundation
import Spool

/// A failure the CLI reports as one line on stderr with its exit code.
struct CLIFailure: Error, CustomStringConvertible {
    /// Exit code of a failed operation.
    static let failedCode: Int32 = 1
    /// Exit code of a usage error.
    static let usageCode: Int32 = 2
    /// Exit code when a queue or job does not exist.
    static let notFoundCode: Int32 = 3

    /// The one-line message.
    let message: String
    /// The process exit code.
    let exitCode: Int32

    var description: String { message }

    /// The operation failed (exit 1).
    static func failed(_ message: String) -> CLIFailure { CLIFailure(message: message, exitCode: failedCode) }
    /// The command line was wrong (exit 2).
    static func usage(_ message: String) -> CLIFailure { CLIFailure(message: message, exitCode: usageCode) }
    /// The queue or job does not exist (exit 3).
    static func notFound(_ message: String) -> CLIFailure { CLIFailure(message: message, exitCode: notFoundCode) }

    init(message: String, exitCode: Int32) {
        self.message = message.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? message
        self.exitCode = exitCode
    }

    /// Maps a library error: missing job → 3, invalid input → 2, everything else → 1.
    init(_ error: SpoolError) {
        switch error {
        case .jobNotFound: self.init(message: error.description, exitCode: Self.notFoundCode)
        case .invalidJob, .payloadEncoding, .payloadTooLarge: self.init(message: error.description, exitCode: Self.usageCode)
        case .redis(let redis):
            if case .invalidURL = redis { self.init(message: redis.description, exitCode: Self.usageCode) } else {
                self.init(message: redis.description, exitCode: Self.failedCode)
            }
        case .protocolMismatch: self.init(message: error.description, exitCode: Self.failedCode)
        }
    }
}

/// Runs `body`, turning a `SpoolError` into a `CLIFailure` with the right exit code.
func spool<T>(_ body: () throws(SpoolError) -> T) throws -> T {
    do { return try body() } catch { throw CLIFailure(error) }
}
