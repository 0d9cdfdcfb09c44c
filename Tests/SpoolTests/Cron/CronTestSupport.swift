import Foundation
import Spool
import Testing

/// Parses an ISO-8601 literal such as `2025-03-09T03:00:00-04:00`.
func isoDate(_ text: String) throws -> Date {
    try Date(text, strategy: .iso8601)
}

/// Renders a date as a UTC ISO-8601 string, so failures print readable values.
func utc(_ date: Date) -> String {
    date.formatted(.iso8601)
}

/// Looks up an IANA zone, failing the test if the zone database lacks it.
func zone(_ identifier: String) throws -> TimeZone {
    try #require(TimeZone(identifier: identifier), "missing time zone \(identifier)")
}

/// A deterministic 64-bit generator (SplitMix64), so random tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The zones the randomized tests draw from.
let sampleZones = [
    "UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu",
    "America/St_Johns", "Pacific/Chatham", "Australia/Sydney", "America/Santiago",
]

/// A randomly generated cron expression together with an independent description of what
/// it means, computed by the generator itself (not by the code under test).
struct RandomCron {
    var text: String
    var seconds: Set<Int>
    var minutes: Set<Int>
    var hours: Set<Int>
    var hourIsPeriodic: Bool
    var daysOfMonth: Set<Int>
    var lastDayOfMonth: Bool
    var dayOfMonthStar: Bool
    var months: Set<Int>
    var daysOfWeek: Set<Int>
    /// `[weekday, occurrence]` pairs from `DOW#N`.
    var occurrences: Set<[Int]>
    var dayOfWeekStar: Bool

    /// Whether a wall-clock reading matches, by the crontab(5) rules, written independently.
    func matches(_ wall: WallReading) -> Bool {
        guard months.contains(wall.month), hours.contains(wall.hour),
              minutes.contains(wall.minute), seconds.contains(wall.second) else { return false }
        let byDate = daysOfMonth.contains(wall.day) || (lastDayOfMonth && wall.day == wall.daysInMonth)
        let byWeekday = daysOfWeek.contains(wall.weekday)
            || occurrences.contains([wall.weekday, (wall.day - 1) / 7 + 1])
        switch (dayOfMonthStar, dayOfWeekStar) {
        case (true, true): return true
        case (true, false): return byWeekday
        case (false, true): return byDate
        case (false, false): return byDate || byWeekday
        }
    }
}

/// A wall-clock reading computed with Foundation's `Calendar` (independent of the library).
struct WallReading {
    var year, month, day, hour, minute, second, weekday, daysInMonth: Int

    init(_ date: Date, calendar: Calendar) {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        year = c.year ?? 0
        month = c.month ?? 0
        day = c.day ?? 0
        hour = c.hour ?? 0
        minute = c.minute ?? 0
        second = c.second ?? 0
        weekday = (c.weekday ?? 1) - 1
        daysInMonth = calendar.range(of: .day, in: .month, for: date)?.count ?? 0
    }
}

/// Generates random valid-looking cron expressions in all supported syntaxes.
struct CronGenerator {
    var rng: SplitMix64
    /// Probability (0...1) of emitting a 6-field expression.
    var sixFieldChance = 0.3
    /// Probability that each day field is `*` (denser schedules for oracle checks).
    var dayStarChance = 0.5
    /// Probability that the month field is `*`.
    var monthStarChance = 0.2

    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let weekdayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    private enum Kind { case second, minute, hour, dayOfMonth, month, dayOfWeek }

    private struct Field {
        var text: String
        var values: Set<Int>
        var star = false
        var periodic = false
        var last = false
        var occurrences: Set<[Int]> = []
    }

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    private func bounds(_ kind: Kind) -> ClosedRange<Int> {
        switch kind {
        case .second, .minute: return 0...59
        case .hour: return 0...23
        case .dayOfMonth: return 1...31
        case .month: return 1...12
        case .dayOfWeek: return 0...6
        }
    }

    private mutating func render(_ value: Int, _ kind: Kind, allowSeven: Bool = true) -> String {
        switch kind {
        case .month where chance(0.5):
            let name = Self.monthNames[value - 1]
            return chance(0.5) ? name : name.lowercased()
        case .dayOfWeek where chance(0.5):
            let name = Self.weekdayNames[value]
            return chance(0.5) ? name : name.capitalized
        case .dayOfWeek where value == 0 && allowSeven && chance(0.5):
            return "7"
        default:
            return String(value)
        }
    }

    private mutating func field(_ kind: Kind) -> Field {
        let range = bounds(kind)
        let isDay = kind == .dayOfMonth || kind == .dayOfWeek
        if kind == .month, chance(monthStarChance) {
            return Field(text: "*", values: Set(range), star: true, periodic: true)
        }
        if isDay, chance(dayStarChance) {
            return Field(text: chance(0.7) ? "*" : "?", values: Set(range), star: true, periodic: true)
        }
        switch int(0...6) {
        case 0:
            return Field(text: "*", values: Set(range), star: true, periodic: true)
        case 1:
            let v = int(range)
            return Field(text: render(v, kind), values: [v])
        case 2:
            var values: Set<Int> = []
            var parts: [String] = []
            var result = Field(text: "", values: [])
            for _ in 0..<int(2...4) {
                if kind == .dayOfMonth, chance(0.15) {
                    parts.append(chance(0.5) ? "L" : "l")
                    result.last = true
                } else if kind == .dayOfWeek, chance(0.2) {
                    let weekday = int(0...6)
                    let n = int(1...5)
                    parts.append("\(render(weekday, kind))#\(n)")
                    result.occurrences.insert([weekday, n])
                } else {
                    let v = int(range)
                    values.insert(v)
                    parts.append(render(v, kind))
                }
            }
            result.text = parts.joined(separator: ",")
            result.values = values
            return result
        case 3:
            let a = int(range)
            if kind == .dayOfWeek, a > 0, chance(0.3) {
                // Range ending on Sunday, written as 7 or SUN.
                return Field(text: "\(render(a, kind))-\(chance(0.5) ? "7" : "SUN")",
                             values: Set(a...6).union([0]))
            }
            let b = int(a...range.upperBound)
            return Field(text: "\(render(a, kind, allowSeven: false))-\(render(b, kind, allowSeven: false))",
                         values: Set(a...b))
        case 4:
            let step = int(1...max(1, range.count / 2))
            return Field(text: "*/\(step)", values: Set(stride(from: range.lowerBound, through: range.upperBound, by: step)),
                         periodic: true)
        case 5:
            let a = int(range)
            let b = int(a...range.upperBound)
            let step = int(1...max(1, range.count / 3))
            return Field(text: "\(render(a, kind, allowSeven: false))-\(render(b, kind, allowSeven: false))/\(step)",
                         values: Set(stride(from: a, through: b, by: step)), periodic: true)
        default:
            let a = int(range)
            let step = int(1...max(1, range.count / 3))
            return Field(text: "\(render(a, kind, allowSeven: false))/\(step)",
                         values: Set(stride(from: a, through: range.upperBound, by: step)), periodic: true)
        }
    }

    /// A random expression the parser accepts. Rejected candidates must be rejected only for
    /// never firing (any other error is recorded as a test failure).
    mutating func nextValid() -> (RandomCron, CronExpression) {
        while true {
            let candidate = next()
            do {
                return (candidate, try CronExpression(candidate.text))
            } catch {
                if case .neverFires = error { continue }
                Issue.record("generated \"\(candidate.text)\" was rejected: \(error)")
            }
        }
    }

    /// One random expression (which may still be one the parser rightly rejects as never firing).
    mutating func next() -> RandomCron {
        let sixFields = chance(sixFieldChance)
        let second = sixFields ? field(.second) : Field(text: "", values: [0])
        let minute = field(.minute)
        let hour = field(.hour)
        let dayOfMonth = field(.dayOfMonth)
        let month = field(.month)
        let dayOfWeek = field(.dayOfWeek)
        var texts = [minute.text, hour.text, dayOfMonth.text, month.text, dayOfWeek.text]
        if sixFields { texts.insert(second.text, at: 0) }
        return RandomCron(
            text: texts.joined(separator: " "),
            seconds: second.values, minutes: minute.values, hours: hour.values,
            hourIsPeriodic: hour.periodic,
            daysOfMonth: dayOfMonth.values, lastDayOfMonth: dayOfMonth.last, dayOfMonthStar: dayOfMonth.star,
            months: month.values,
            daysOfWeek: dayOfWeek.values, occurrences: dayOfWeek.occurrences, dayOfWeekStar: dayOfWeek.star)
    }
}
