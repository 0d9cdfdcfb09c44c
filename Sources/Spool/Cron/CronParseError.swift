/// Why a piece of text is not a valid cron expression.
///
/// `description` is a precise human-readable message that names the field (second, minute,
/// hour, day-of-month, month, day-of-week), the offending token and the reason, e.g.
/// `minute field: "61" is out of range 0–59`.
public enum CronParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The expression does not have 5 or 6 whitespace-separated fields.
    case wrongFieldCount(found: Int)
    /// The text starts with `@` but names no known macro.
    case unknownMacro(String)
    /// A known crontab macro with no calendar meaning (`@reboot`).
    case unsupportedMacro(String)
    /// A macro was followed by further fields.
    case macroWithExtraFields(String)
    /// One token of one field is invalid; `token` is the text as the user wrote it.
    case invalidToken(field: CronField, token: String, problem: Problem)
    /// The expression is well-formed but can never match a real date.
    case neverFires(reason: String)

    /// What is wrong with an invalid token.
    public enum Problem: Sendable, Hashable {
        /// A list such as `1,,2` has an empty element.
        case emptyListElement
        /// The token is not a number (and names are not accepted in this field).
        case notANumber
        /// The token is neither 1–12 nor a month name `JAN`–`DEC`.
        case notAMonth
        /// The token is neither 0–7 nor a weekday name `SUN`–`SAT`.
        case notAWeekday
        /// The number lies outside the field's valid range.
        case outOfRange
        /// A range `a-b` with `a > b`.
        case reversedRange
        /// The step after `/` is not a positive integer.
        case invalidStep
        /// The `N` of `DOW#N` is not 1–5.
        case occurrenceOutOfRange
        /// `#` used outside day-of-week.
        case occurrenceNotAllowed
        /// `?` used outside the two day fields.
        case questionMarkNotAllowed
        /// `L` used outside day-of-month.
        case lastNotAllowed
        /// `L` used inside a range or with a step.
        case lastNotCombinable
        /// The token has a shape no rule accepts, e.g. `1-2-3` or `1//2`.
        case malformed
    }

    /// The human-readable message, e.g. `day-of-week field: "5#6" — occurrence must be 1–5`.
    public var description: String {
        switch self {
        case .wrongFieldCount(let found):
            return "expected 5 or 6 fields, found \(found)"
        case .unknownMacro(let macro):
            return "unknown macro \"\(macro)\" (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"
        case .unsupportedMacro(let macro):
            return "\"\(macro)\" is not supported: it runs at system start-up, not at a calendar time"
        case .macroWithExtraFields(let macro):
            return "macro \"\(macro)\" cannot be combined with other fields"
        case .neverFires(let reason):
            return "never fires: \(reason)"
        case .invalidToken(let field, let token, let problem):
            let head = "\(field) field: \"\(token)\""
            let range = "\(field.validRange.lowerBound)–\(field.validRange.upperBound)"
            switch problem {
            case .emptyListElement: return "\(head) has an empty list element"
            case .notANumber: return "\(head) is not a number"
            case .notAMonth: return "\(head) is not a month (1–12 or JAN–DEC)"
            case .notAWeekday: return "\(head) is not a weekday (0–7 or SUN–SAT)"
            case .outOfRange: return "\(head) is out of range \(range)"
            case .reversedRange: return "\(head) — range start is greater than range end"
            case .invalidStep: return "\(head) — step must be a positive integer"
            case .occurrenceOutOfRange: return "\(head) — occurrence must be 1–5"
            case .occurrenceNotAllowed: return "\(head) — \"#\" is only allowed in day-of-week"
            case .questionMarkNotAllowed: return "\(head) is only allowed in day-of-month and day-of-week"
            case .lastNotAllowed: return "\(head) is only allowed in day-of-month"
            case .lastNotCombinable: return "\(head) — \"L\" cannot be part of a range or step"
            case .malformed: return "\(head) is malformed"
            }
        }
    }
}
