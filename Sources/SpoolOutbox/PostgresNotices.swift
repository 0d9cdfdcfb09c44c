import CLibpq
import Logging

/// Receives libpq notices (`RAISE NOTICE`, warnings, …) for one connection and logs them through
/// swift-log instead of libpq's default of printing to stderr.
final class PostgresNoticeSink: Sendable {
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// Points `connection`'s notice processor at this sink. The sink must outlive the connection:
    /// ``PostgresSession`` owns both.
    func install(on connection: OpaquePointer) {
        _ = PQsetNoticeProcessor(
            connection,
            { context, message in
                guard let context, let message else { return }
                let sink = Unmanaged<PostgresNoticeSink>.fromOpaque(context).takeUnretainedValue()
                sink.log(String(cString: message))
            },
            Unmanaged.passUnretained(self).toOpaque()
        )
    }

    /// Logs one notice, e.g. `NOTICE:  relation "x" already exists, skipping`, at a matching level.
    func log(_ notice: String) {
        var text = notice.trimmingSpaces
        var level = Logger.Level.notice
        var severity = "NOTICE"
        if let colon = text.firstIndex(of: ":") {
            let prefix = String(text[..<colon])
            let known: [String: Logger.Level] = [
                "WARNING": .warning, "NOTICE": .notice, "INFO": .info, "LOG": .info, "DEBUG": .debug,
            ]
            if let mapped = known[prefix] {
                level = mapped
                severity = prefix
                text = text[text.index(after: colon)...].trimmingSpaces
            }
        }
        logger.log(level: level, "\(text)", metadata: ["postgres.severity": "\(severity)"])
    }
}
