/// One of the six positions of a cron expression, named the way error messages name it.
///
/// A 5-field expression has no `second` field (it always fires at second 0); a 6-field
/// expression puts `second` first.
public enum CronField: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Seconds, 0–59 (only in 6-field expressions).
    case second
    /// Minutes, 0–59.
    case minute
    /// Hours, 0–23.
    case hour
    /// Day of the month, 1–31 (also `L`, the last day of the month).
    case dayOfMonth = "day-of-month"
    /// Month, 1–12 or `JAN`–`DEC`.
    case month
    /// Day of the week, 0–7 (0 and 7 are Sunday) or `SUN`–`SAT`; also `DOW#N`.
    case dayOfWeek = "day-of-week"

    /// The field's name as used in error messages, e.g. `day-of-month`.
    public var description: String { rawValue }

    /// The inclusive range of numbers the field accepts as written in an expression.
    public var validRange: ClosedRange<Int> {
        switch self {
        case .second, .minute: return 0...59
        case .hour: return 0...23
        case .dayOfMonth: return 1...31
        case .month: return 1...12
        case .dayOfWeek: return 0...7
        }
    }

    /// The range a bare `*` (or `start/step`) expands to. Differs from `validRange` only for
    /// day-of-week, where `*` means 0–6 because 7 is just another spelling of Sunday.
    var wildcardRange: ClosedRange<Int> {
        self == .dayOfWeek ? 0...6 : validRange
    }

    /// Whether `?` (a synonym of `*`) is accepted in this field.
    var acceptsQuestionMark: Bool {
        self == .dayOfMonth || self == .dayOfWeek
    }
}
