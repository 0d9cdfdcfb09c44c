#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Conversions between Swift values and Postgres's text format (what `PQgetvalue` returns and what
/// text-format parameters carry). Pure functions, no libpq.
enum PostgresText {
    private static let microsPerDay: Int64 = 86_400_000_000

    // MARK: double

    /// `Infinity`, `-Infinity`, `NaN`, or Swift's shortest round-tripping form.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return String(value)
    }

    /// Parses float8/float4/numeric/int text, including `Infinity`, `-Infinity` and `NaN`.
    static func parseDouble(_ text: String) -> Double? {
        switch text.lowercased() {
        case "nan": return .nan
        case "infinity", "inf", "+infinity", "+inf": return .infinity
        case "-infinity", "-inf": return -.infinity
        default: return Double(text)
        }
    }

    // MARK: bool

    /// Accepts what Postgres prints (`t`/`f`) and what it accepts as input (`true`, `yes`, `on`, `1`, …).
    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "t", "true", "y", "yes", "on", "1": return true
        case "f", "false", "n", "no", "off", "0": return false
        default: return nil
        }
    }

    // MARK: timestamptz

    /// UTC text with microseconds, e.g. `2024-05-01 12:00:00.250000+00` (years before 1 get ` BC`).
    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        // Date covers far more than Postgres (4713 BC … 294276 AD); clamp to what Int64 microseconds hold.
        let micros = Int64(max(-9.0e18, min(9.0e18, (seconds * 1_000_000).rounded())))
        var days = micros / microsPerDay
        var rest = micros % microsPerDay
        if rest < 0 {
            rest += microsPerDay
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        let secondOfDay = rest / 1_000_000
        let fraction = rest % 1_000_000
        let bc = year <= 0
        var text = pad(bc ? 1 - year : year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += " " + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        text += "." + pad(fraction, 6) + "+00"
        if bc { text += " BC" }
        return text
    }

    /// Parses ISO-style `timestamptz`, `timestamp` (taken as UTC) and `date` text: `2024-05-01 12:00:00.25+02`,
    /// `…+05:30`, `…-08:00:00`, `… BC`, a `T` separator or `Z`, and `infinity` / `-infinity`
    /// (as `Date.distantFuture` / `Date.distantPast`).
    static func parseDate(_ text: String) -> Date? {
        switch text {
        case "infinity": return .distantFuture
        case "-infinity": return .distantPast
        default: break
        }
        var scanner = ByteScanner(text)
        guard let year = scanner.integer(minDigits: 4, maxDigits: 7), scanner.take(UInt8(ascii: "-")),
            let month = scanner.integer(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: "-")),
            let day = scanner.integer(minDigits: 2, maxDigits: 2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var micros: Int64 = 0
        var offsetSeconds: Int64 = 0
        if scanner.take(UInt8(ascii: " ")) || scanner.take(UInt8(ascii: "T")) {
            guard let hour = scanner.integer(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: ":")),
                let minute = scanner.integer(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: ":")),
                let second = scanner.integer(minDigits: 2, maxDigits: 2),
                hour <= 24, minute < 60, second <= 60
            else { return nil }
            micros = (hour * 3600 + minute * 60 + second) * 1_000_000
            if scanner.take(UInt8(ascii: ".")) {
                let (digits, count) = scanner.digits(maxCount: 9)
                guard count > 0 else { return nil }
                var fraction = digits
                var scale = count
                while scale < 6 {
                    fraction *= 10
                    scale += 1
                }
                while scale > 6 {
                    fraction /= 10
                    scale -= 1
                }
                micros += fraction
            }
            if scanner.take(UInt8(ascii: "Z")) {
                offsetSeconds = 0
            } else if let sign = scanner.takeSign() {
                guard let hours = scanner.integer(minDigits: 2, maxDigits: 2) else { return nil }
                var offset = hours * 3600
                if scanner.take(UInt8(ascii: ":")) {
                    guard let minutes = scanner.integer(minDigits: 2, maxDigits: 2) else { return nil }
                    offset += minutes * 60
                    if scanner.take(UInt8(ascii: ":")) {
                        guard let seconds = scanner.integer(minDigits: 2, maxDigits: 2) else { return nil }
                        offset += seconds
                    }
                }
                offsetSeconds = sign * offset
            }
        }
        var astronomicalYear = year
        if scanner.take(UInt8(ascii: " ")) {
            guard scanner.takeWord("BC") else { return nil }
            astronomicalYear = 1 - year
        }
        guard scanner.atEnd else { return nil }
        let days = daysFromCivil(year: astronomicalYear, month: month, day: day)
        let total = days * microsPerDay + micros - offsetSeconds * 1_000_000
        return Date(timeIntervalSince1970: Double(total) / 1_000_000)
    }

    // MARK: bytea

    /// Decodes `bytea` output: hex (`\x0001ff`, the default) or the older escape format.
    static func decodeBytea(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x") {
            guard utf8.count % 2 == 0 else { return nil }
            var bytes = [UInt8]()
            bytes.reserveCapacity((utf8.count - 2) / 2)
            var index = 2
            while index < utf8.count {
                guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else { return nil }
                bytes.append(high << 4 | low)
                index += 2
            }
            return bytes
        }
        // Escape format: `\\` is a backslash, `\ooo` an octal byte, anything else itself.
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                index += 1
                continue
            }
            if index + 1 < utf8.count, utf8[index + 1] == UInt8(ascii: "\\") {
                bytes.append(byte)
                index += 2
            } else if index + 3 < utf8.count,
                let a = octalValue(utf8[index + 1]), let b = octalValue(utf8[index + 2]),
                let c = octalValue(utf8[index + 3]), a <= 3
            {
                bytes.append(a << 6 | b << 3 | c)
                index += 4
            } else {
                return nil
            }
        }
        return bytes
    }

    // MARK: helpers

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func octalValue(_ byte: UInt8) -> UInt8? {
        (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) ? byte - UInt8(ascii: "0") : nil
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Days since 1970-01-01 → proleptic Gregorian (year, month, day); year 0 is 1 BC.
    /// (Howard Hinnant's `civil_from_days`.)
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Proleptic Gregorian date → days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// A forward-only reader over UTF-8 bytes for the small fixed formats above.
private struct ByteScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func takeSign() -> Int64? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }

    mutating func takeWord(_ word: String) -> Bool {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected
        else { return false }
        index += expected.count
        return true
    }

    /// Up to `maxCount` decimal digits: their value and how many there were.
    mutating func digits(maxCount: Int) -> (Int64, Int) {
        var value: Int64 = 0
        var count = 0
        while index < bytes.count, count < maxCount,
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
        {
            value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
            count += 1
        }
        // Skip digits beyond the precision we keep.
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            index += 1
        }
        return (value, count)
    }

    mutating func integer(minDigits: Int, maxDigits: Int) -> Int64? {
        let start = index
        var value: Int64 = 0
        while index < bytes.count, index - start < maxDigits,
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
        {
            value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index - start >= minDigits else {
            index = start
            return nil
        }
        return value
    }
}
