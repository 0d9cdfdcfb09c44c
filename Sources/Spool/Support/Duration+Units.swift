import Foundation

extension Duration {
    /// The duration in (fractional) seconds.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded down: 0 for a negative duration, `Int64.max` where it would overflow.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? 0 : Int64.max }
        return max(0, product &+ attoseconds / 1_000_000_000_000_000)
    }

    /// Parses a whole number and a unit — `500ms`, `30s`, `15m`, `2h`, `7d` — as configuration files and the
    /// CLI write durations; nil for anything else (fractions, negatives, no unit, or too large to hold).
    public init?(wholeUnits text: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, millis) in units where text.hasSuffix(suffix) {
            // "5ms" also ends in "s": the longer suffix is tried first, and a leftover "m" is not a number.
            if let value = Int64(text.dropLast(suffix.count)), value >= 0, value <= Int64.max / millis / 1000 {
                self = .milliseconds(value * millis)
                return
            }
        }
        return nil
    }

    /// Parses a duration as configuration files write it: a whole number and a unit (`500ms`, `30s`, `15m`,
    /// `2h`, `7d`) or a bare whole number of **seconds**; nil for anything else (text without a unit, fractions,
    /// booleans, negatives). One rule for every file Spool reads, so `timeout: 30` means the same everywhere.
    public init?(configurationValue value: Any) {
        if value is Bool { return nil }
        if let seconds = value as? Int {
            guard seconds >= 0, seconds <= Int.max / 1000 else { return nil }
            self = .seconds(seconds)
            return
        }
        guard let text = value as? String, let parsed = Duration(wholeUnits: text.trimmingCharacters(in: .whitespaces)) else { return nil }
        self = parsed
    }

    /// How configuration errors describe the accepted forms.
    public static let configurationForms = "a duration like 500ms, 30s, 15m, 2h or 7d (a bare number is seconds)"
}
