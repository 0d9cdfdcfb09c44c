import Logging
import Synchronization

/// Logs a Redis outage once when it starts and once when it ends, however many threads hit it.
final class OutageLog: Sendable {
    private let state = Mutex<ContinuousClock.Instant?>(nil)
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// Records a failed call; logs only the first failure of an outage.
    func failed(_ error: Error, during what: String) {
        let first = state.withLock { since -> Bool in
            if since != nil { return false }
            since = .now
            return true
        }
        if first { logger.error("Redis unreachable (\(what)): \(error) — retrying with backoff") }
    }

    /// Records a successful call; logs the end of an outage.
    func succeeded() {
        let ended = state.withLock { since -> ContinuousClock.Instant? in
            defer { since = nil }
            return since
        }
        if let ended { logger.notice("Redis reachable again after \(ContinuousClock.now - ended)") }
    }

    var isDown: Bool { state.withLock { $0 != nil } }
}

/// Capped exponential backoff with full jitter for reconnect loops.
struct ReconnectBackoff {
    var attempt = 0
    let base: Double = 0.05
    let cap: Double = 2.0

    mutating func next() -> Double {
        attempt += 1
        let ceiling = min(cap, base * Double(1 << min(attempt, 10)))
        return Double.random(in: ceiling / 2...ceiling)
    }

    mutating func reset() { attempt = 0 }
}
