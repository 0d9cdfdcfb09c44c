/// A parsed cron schedule.
///
/// Accepts the classic 5-field form `minute hour day-of-month month day-of-week` and a
/// 6-field form with a leading `second` field, plus the macros `@yearly`, `@annually`,
/// `@monthly`, `@weekly`, `@daily`, `@midnight` and `@hourly`.
///
/// Field syntax: `*`; `?` (same as `*`, day-of-month and day-of-week only); numbers; lists
/// `1,2,5`; ranges `1-5`; steps `*/15`, `10-50/5` and `5/10` (= `5-max/10`); month names
/// `JAN`–`DEC` and weekday names `SUN`–`SAT` (case-insensitive, also in ranges such as
/// `MON-FRI`); 0 and 7 both mean Sunday, and `FRI-SUN` wraps to Sunday; `L` in
/// day-of-month (last day of the month, may be listed with numbers: `1,15,L`); `DOW#N` in
/// day-of-week (`5#2`/`FRI#2` = second Friday of the month, N = 1–5).
///
/// Day matching follows crontab(5): when both day-of-month and day-of-week are restricted
/// (neither is written as `*` or `?`), a day matches if EITHER matches; otherwise only the
/// restricted one (if any) decides.
///
/// Two expressions are equal when their normalized text is equal.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The normalized source text: fields separated by single spaces, names and `L` upper-cased,
    /// macros lower-cased (e.g. `"0 9 * * mon-fri"` → `"0 9 * * MON-FRI"`).
    public let description: String

    /// Whether the expression was written with a seconds field (6 fields).
    public let hasSecondsField: Bool

    let seconds: CronBits
    let minutes: CronBits
    let hours: CronBits
    let daysOfMonth: CronBits
    let months: CronBits
    let daysOfWeek: CronBits
    /// `DOW#N` entries as bit `weekday * 5 + (N - 1)`.
    let weekdayOccurrences: CronBits
    let includesLastDayOfMonth: Bool
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool
    /// The hour field uses `*` or a step: such schedules fire in both copies of a repeated
    /// (fall-back) hour.
    let hourIsPeriodic: Bool

    private static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    ]

    /// Parses `text`, or throws a `CronParseError` whose description names the field, the
    /// token and the reason. Rejects expressions that can never fire because day-of-month
    /// asks for a day the selected months do not have (e.g. `0 0 30 2 *`).
    public init(_ text: String) throws(CronParseError) {
        let tokens = text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        var fieldTexts = tokens
        var normalized: String
        if let first = tokens.first, first.hasPrefix("@") {
            let macro = first.lowercased()
            if macro == "@reboot" { throw .unsupportedMacro(first) }
            guard let expansion = Self.macros[macro] else { throw .unknownMacro(first) }
            guard tokens.count == 1 else { throw .macroWithExtraFields(first) }
            fieldTexts = expansion.split(separator: " ").map(String.init)
            normalized = macro
        } else {
            guard tokens.count == 5 || tokens.count == 6 else {
                throw .wrongFieldCount(found: tokens.count)
            }
            normalized = tokens.map { $0.uppercased() }.joined(separator: " ")
        }

        hasSecondsField = fieldTexts.count == 6
        if !hasSecondsField { fieldTexts.insert("0", at: 0) }
        let second = try CronFieldParser.parse(fieldTexts[0], as: .second)
        let minute = try CronFieldParser.parse(fieldTexts[1], as: .minute)
        let hour = try CronFieldParser.parse(fieldTexts[2], as: .hour)
        let dayOfMonth = try CronFieldParser.parse(fieldTexts[3], as: .dayOfMonth)
        let month = try CronFieldParser.parse(fieldTexts[4], as: .month)
        let dayOfWeek = try CronFieldParser.parse(fieldTexts[5], as: .dayOfWeek)

        description = normalized
        seconds = second.values
        minutes = minute.values
        hours = hour.values
        daysOfMonth = dayOfMonth.values
        months = month.values
        daysOfWeek = dayOfWeek.values
        weekdayOccurrences = dayOfWeek.occurrences
        includesLastDayOfMonth = dayOfMonth.includesLastDay
        dayOfMonthRestricted = !dayOfMonth.isUnrestricted
        dayOfWeekRestricted = !dayOfWeek.isUnrestricted
        hourIsPeriodic = hour.isPeriodic

        if let reason = Self.neverFiresReason(daysOfMonth: daysOfMonth, includesLast: includesLastDayOfMonth,
                                              dayOfMonthRestricted: dayOfMonthRestricted,
                                              dayOfWeekRestricted: dayOfWeekRestricted, months: months) {
            throw .neverFires(reason: reason)
        }
    }

    /// When only day-of-month restricts days, every listed day must fit in some selected month.
    private static func neverFiresReason(daysOfMonth: CronBits, includesLast: Bool,
                                         dayOfMonthRestricted: Bool, dayOfWeekRestricted: Bool,
                                         months: CronBits) -> String? {
        guard dayOfMonthRestricted, !dayOfWeekRestricted, !includesLast,
              let smallestDay = daysOfMonth.smallest else { return nil }
        let longest = (1...12).filter { months.contains($0) }
            .map { CivilTime.daysInMonth(year: 2000, month: $0) }   // 2000 is a leap year
            .max() ?? 31
        guard smallestDay > longest else { return nil }
        if months == CronBits.all(in: 2...2) {
            return "February has at most 29 days"
        }
        return "day-of-month \(smallestDay) never occurs in the selected months, which have at most \(longest) days"
    }
}
