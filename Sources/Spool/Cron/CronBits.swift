/// A set of small non-negative integers (0...63) stored as a bit mask; used for the
/// compiled value sets of cron fields and for per-month day masks.
struct CronBits: Sendable, Hashable {
    /// Bit `n` is set when `n` is in the set.
    var raw: UInt64 = 0

    /// Whether the set has no members.
    var isEmpty: Bool { raw == 0 }

    /// Whether `value` is a member; values outside 0...63 never are.
    func contains(_ value: Int) -> Bool {
        guard (0...63).contains(value) else { return false }
        return raw & (1 << UInt64(value)) != 0
    }

    /// Adds `value`, which must lie in 0...63 (other values are ignored).
    mutating func insert(_ value: Int) {
        guard (0...63).contains(value) else { return }
        raw |= 1 << UInt64(value)
    }

    /// The smallest member `>= value`, or nil if there is none.
    func next(atOrAfter value: Int) -> Int? {
        let from = max(value, 0)
        guard from <= 63 else { return nil }
        let shifted = raw >> UInt64(from)
        guard shifted != 0 else { return nil }
        return from + shifted.trailingZeroBitCount
    }

    /// The largest member `<= value`, or nil if there is none.
    func previous(atOrBefore value: Int) -> Int? {
        guard value >= 0 else { return nil }
        let upTo = min(value, 63)
        let mask: UInt64 = upTo == 63 ? raw : raw & ((1 << UInt64(upTo + 1)) - 1)
        guard mask != 0 else { return nil }
        return 63 - mask.leadingZeroBitCount
    }

    /// The smallest member, or nil when empty.
    var smallest: Int? { next(atOrAfter: 0) }

    /// The set of all integers in `range` (which must lie in 0...63).
    static func all(in range: ClosedRange<Int>) -> CronBits {
        var bits = CronBits()
        for value in range { bits.insert(value) }
        return bits
    }
}
