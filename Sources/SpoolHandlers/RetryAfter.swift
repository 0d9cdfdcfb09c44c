import Foundation

/// Reads an HTTP `Retry-After` value (RFC 9110 §10.2.3): delta-seconds (`120`) or an HTTP-date in any of
/// the three forms recipients must accept (IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, RFC 850, asctime).
public enum RetryAfter {
    /// The longest wait `parse` returns by default: 24 hours.
    public static let defaultCap: Duration = .seconds(86_400)

    /// The wait `value` asks for, counted from `now`, never negative and at most `cap`; nil if `value`
    /// is neither delta-seconds nor an HTTP-date.
    public static func parse(_ value: String, now: Date = Date(), cap: Duration = defaultCap) -> Duration? {
        let text = value.trimmingASCIIWhitespace()
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            guard let seconds = Int64(text) else { return cap }  // too many digits to fit: far beyond any cap
            return min(.seconds(seconds), cap)
        }
        guard let date = httpDate(text) else { return nil }
        let wait = Double(date) - now.timeIntervalSince1970
        guard wait > 0 else { return .zero }
        guard wait < Double(cap.components.seconds) else { return cap }
        return .milliseconds(Int64((wait * 1000).rounded(.up)))
    }

    /// Unix seconds of an HTTP-date, or nil if `text` is not one.
    public static func httpDate(_ text: String) -> Int64? {
        let tokens = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if tokens.count == 6, tokens[0].hasSuffix(","), tokens[5] == "GMT",
           tokens[1].count == 2, tokens[3].count == 4 {
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            return timestamp(year: tokens[3], month: tokens[2], day: tokens[1], time: tokens[4])
        }
        if tokens.count == 4, tokens[0].hasSuffix(","), tokens[3] == "GMT" {
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let date = tokens[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard date.count == 3, date[0].count == 2, date[2].count == 2, let yy = digits(date[2]) else { return nil }
            let year = yy < 70 ? 2000 + yy : 1900 + yy
            return timestamp(year: String(year), month: date[1], day: date[0], time: tokens[2])
        }
        if tokens.count == 5, !tokens[0].hasSuffix(","), tokens[4].count == 4 {
            // asctime: Sun Nov  6 08:49:37 1994
            return timestamp(year: tokens[4], month: tokens[1], day: tokens[2], time: tokens[3])
        }
        return nil
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func timestamp(year: String, month: String, day: String, time: String) -> Int64? {
        guard let y = digits(year), let d = digits(day), (1...31).contains(d),
              let monthIndex = months.firstIndex(of: month)
        else { return nil }
        let clock = time.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
              let hour = digits(clock[0]), let minute = digits(clock[1]), let second = digits(clock[2]),
              hour < 24, minute < 60, second <= 60
        else { return nil }
        let days = daysFromCivil(year: y, month: monthIndex + 1, day: d)
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    private static func digits(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
