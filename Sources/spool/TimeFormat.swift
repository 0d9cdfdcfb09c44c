import Foundation

/// How the CLI writes and reads times: UTC ISO-8601 with milliseconds in JSON, local time with its offset
/// for people.
enum TimeFormat {
    /// `2026-01-02T03:04:05.678Z` — the form of every time in JSON output.
    static func json(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        return formatter.string(from: date)
    }

    /// A time as JSON: its UTC ISO-8601 text, or null.
    static func json(_ date: Date?) -> Any { date.map { json($0) } ?? NSNull() }

    /// `2026-01-02T04:04:05+01:00` in `zone` (local by default) — the form for people.
    static func human(_ date: Date, in zone: TimeZone = .current) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxxxx"
        return formatter.string(from: date)
    }

    /// A time for people, or `-`.
    static func human(_ date: Date?) -> String { date.map { human($0) } ?? "-" }

    /// Parses ISO-8601 with an offset or `Z` (fractional seconds optional), or a local date-time without one
    /// (`2026-01-02T03:04[:05]`) read in `zone`.
    static func parse(_ text: String, in zone: TimeZone = .current) -> Date? {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return date }
        iso.formatOptions = [.withInternetDateTime]
        if let date = iso.date(from: text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
