/// How long a failed job waits before its next attempt.
///
/// Defaults come per queue and per kind (worker configuration) and a job can carry its own. The delay after
/// attempt `a` (1-based) is, for `.exponential`, a uniformly random duration in
/// `[0, min(cap, base · factor^(a-1))]` ("full jitter"), which spreads retries of many failed jobs apart.
public enum RetryPolicy: Sendable, CustomStringConvertible {
    /// Exponential backoff with full jitter.
    case exponential(base: Duration, factor: Double, cap: Duration)
    /// The same delay every time.
    case fixed(Duration)
    /// A function of the attempt number that just failed (1-based). Cannot be stored with a job.
    case custom(@Sendable (Int) -> Duration)

    /// Spool's default: exponential from 1 s, doubling, capped at 1 h.
    public static let standard = RetryPolicy.exponential(base: .seconds(1), factor: 2, cap: .seconds(3600))

    /// The upper bound of the wait after attempt `attempt` (the wait itself for `.fixed` and `.custom`).
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        switch self {
        case .exponential(let base, let factor, let cap):
            let exponent = Double(max(0, attempt - 1))
            let seconds = base.inSeconds * pow(factor, exponent)
            return seconds.isFinite && seconds < cap.inSeconds ? .seconds(seconds) : cap
        case .fixed(let delay): return delay
        case .custom(let function): return function(attempt)
        }
    }

    /// The wait after attempt `attempt` (1-based), drawn with full jitter for `.exponential`.
    public func delay<G: RandomNumberGenerator>(afterAttempt attempt: Int, using generator: inout G) -> Duration {
        switch self {
        case .exponential:
            let ceiling = ceiling(afterAttempt: attempt).inSeconds
            return .seconds(Double.random(in: 0...max(0, ceiling), using: &generator))
        case .fixed, .custom:
            return ceiling(afterAttempt: attempt)
        }
    }

    /// The wait after attempt `attempt`, using the system's random numbers.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }

    /// The text form stored with a job (`exp:<base ms>:<factor>:<cap ms>` or `fixed:<ms>`); nil for `.custom`.
    public var encoded: String? {
        switch self {
        case .exponential(let base, let factor, let cap): return "exp:\(base.wholeMilliseconds):\(factor):\(cap.wholeMilliseconds)"
        case .fixed(let delay): return "fixed:\(delay.wholeMilliseconds)"
        case .custom: return nil
        }
    }

    /// Parses the stored text form; nil for anything else.
    public init?(encoded text: String) {
        let parts = text.split(separator: ":").map(String.init)
        if parts.count == 4, parts[0] == "exp", let base = Int64(parts[1]), let factor = Double(parts[2]),
           let cap = Int64(parts[3]), base >= 0, factor >= 1, cap >= 0 {
            self = .exponential(base: .milliseconds(base), factor: factor, cap: .milliseconds(cap))
        } else if parts.count == 2, parts[0] == "fixed", let delay = Int64(parts[1]), delay >= 0 {
            self = .fixed(.milliseconds(delay))
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .exponential(let base, let factor, let cap): return "exponential(base: \(base), factor: \(factor), cap: \(cap))"
        case .fixed(let delay): return "fixed(\(delay))"
        case .custom: return "custom"
        }
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    var square = base
    while remaining > 0 {
        if remaining & 1 == 1 { result *= square }
        square *= square
        remaining >>= 1
        if result.isInfinite { break }
    }
    return result
}
