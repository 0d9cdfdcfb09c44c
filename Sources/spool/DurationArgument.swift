import ArgumentParser
import Spool

/// Durations on the command line: a whole number and a unit — `500ms`, `30s`, `15m`, `2h`, `7d`.
enum DurationArgument {
    /// Parses `text`, or throws a `ValidationError` that names the accepted forms (exit 2).
    static func parse(_ text: String) throws -> Duration {
        guard let duration = Duration(wholeUnits: text) else {
            throw ValidationError("invalid duration \"\(text)\": use a whole number and a unit ms, s, m, h or d (e.g. 500ms, 30s, 15m, 2h, 7d)")
        }
        return duration
    }

    /// A duration for people: `850ms`, `12.3s`, `4m05s`, `2h03m`, `3d04h`.
    static func human(_ duration: Duration) -> String {
        let millis = duration.wholeMilliseconds
        if millis < 1000 { return "\(millis)ms" }
        if millis < 60_000 { return "\(Double(millis / 100) / 10)s" }
        let seconds = millis / 1000
        if seconds < 3600 { return "\(seconds / 60)m\(twoDigits(seconds % 60))s" }
        if seconds < 86_400 { return "\(seconds / 3600)h\(twoDigits(seconds % 3600 / 60))m" }
        return "\(seconds / 86_400)d\(twoDigits(seconds % 86_400 / 3600))h"
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
