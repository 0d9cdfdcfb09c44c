/// Capped exponential backoff with jitter: waits grow from `minimum`, doubling, up to `maximum`.
struct OutboxBackoff: Sendable {
    let minimum: Duration
    let maximum: Duration
    private(set) var failures = 0

    init(minimum: Duration, maximum: Duration) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The wait after one more failure: `min(maximum, minimum · 2^(failures-1))`, minus up to 20 % jitter
    /// so relays that failed together do not retry in lockstep.
    mutating func next() -> Duration {
        failures += 1
        var wait = minimum
        var doublings = failures - 1
        while doublings > 0, wait < maximum {
            wait = wait * 2
            doublings -= 1
        }
        if wait > maximum { wait = maximum }
        return wait * Double.random(in: 0.8...1.0)
    }

    /// Back to the minimum after a success.
    mutating func reset() { failures = 0 }
}
