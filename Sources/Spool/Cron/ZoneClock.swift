import Foundation

/// Converts between real instants (whole seconds since 1970-01-01T00:00:00Z) and wall-clock
/// readings ("wall seconds", see `CivilTime`) in one time zone, making gaps and overlaps
/// explicit. Built only on `TimeZone.secondsFromGMT(for:)`, which is reliable on every
/// platform, instead of on `Calendar`'s own DST policy.
///
/// Assumes at most one UTC-offset change in any window of `2 * searchRadius` seconds
/// (52 hours), which holds for all IANA zones in practical use.
struct ZoneClock {
    let timeZone: TimeZone

    /// How far around an instant to look for an offset change. Larger than any UTC offset
    /// (so every instant that can show a given wall time is covered) and than any jump.
    static let searchRadius = 26 * 3600

    /// A change of UTC offset: from `instant` on, the offset is `offsetAfter`.
    struct Transition {
        let instant: Int
        let offsetBefore: Int
        let offsetAfter: Int

        /// Clocks were turned back, so some wall times happen twice.
        var isFallBack: Bool { offsetBefore > offsetAfter }

        /// Length of the jump in seconds.
        var length: Int { abs(offsetBefore - offsetAfter) }

        /// For a fall-back: the wall times that occur twice. For a spring-forward: the wall
        /// times that never occur.
        var affectedWalls: Range<Int> {
            let a = instant + offsetBefore
            let b = instant + offsetAfter
            return min(a, b)..<max(a, b)
        }
    }

    /// How a wall-clock reading maps to real instants.
    enum Resolution {
        /// The reading occurs exactly once.
        case single(Int)
        /// The reading occurs twice (fall-back overlap).
        case repeated(first: Int, second: Int)
        /// The reading never occurs (spring-forward gap); `gapEnd` is the first instant
        /// after the gap.
        case skipped(gapEnd: Int)

        /// The instant a fixed-time schedule fires for this reading: the only occurrence,
        /// the first of two, or the end of the gap.
        var firstInstant: Int {
            switch self {
            case .single(let t): return t
            case .repeated(let first, _): return first
            case .skipped(let gapEnd): return gapEnd
            }
        }
    }

    /// UTC offset in seconds at `instant`.
    func offset(at instant: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
    }

    /// The wall-clock reading at `instant`.
    func wall(at instant: Int) -> Int {
        instant + offset(at: instant)
    }

    /// The offset change within `searchRadius` of `instant`, if any (binary search, to the second).
    func transition(near instant: Int) -> Transition? {
        var low = instant - Self.searchRadius
        var high = instant + Self.searchRadius
        let offsetLow = offset(at: low)
        guard offset(at: high) != offsetLow else { return nil }
        // Invariant: offset(low) == offsetLow, offset(high) != offsetLow.
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if offset(at: mid) == offsetLow {
                low = mid
            } else {
                high = mid
            }
        }
        return Transition(instant: high, offsetBefore: offsetLow, offsetAfter: offset(at: high))
    }

    /// The real instant(s) showing the wall-clock reading `wall`.
    func resolve(wall: Int) -> Resolution {
        guard let change = transition(near: wall) else {
            return .single(wall - offset(at: wall))
        }
        let early = wall - change.offsetBefore   // valid if it falls before the change
        let late = wall - change.offsetAfter     // valid if it falls at/after the change
        let earlyValid = early < change.instant
        let lateValid = late >= change.instant
        switch (earlyValid, lateValid) {
        case (true, true):
            return early == late ? .single(early) : .repeated(first: min(early, late), second: max(early, late))
        case (true, false):
            return .single(early)
        case (false, true):
            return .single(late)
        case (false, false):
            return .skipped(gapEnd: change.instant)
        }
    }
}
