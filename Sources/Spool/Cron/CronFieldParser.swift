/// The compiled form of one field of a cron expression.
struct CompiledField: Sendable, Hashable {
    /// Plain values (for day-of-week: weekdays 0–6, Sunday = 0).
    var values = CronBits()
    /// The field was written exactly as `*` or `?` and therefore does not restrict anything.
    var isUnrestricted = false
    /// Some element uses `*` or a `/` step (used for the hour field's DST policy).
    var isPeriodic = false
    /// Day-of-month only: `L` (last day of the month) is present.
    var includesLastDay = false
    /// Day-of-week only: `DOW#N` entries, stored as bit `weekday * 5 + (N - 1)`.
    var occurrences = CronBits()
}

/// Parses the text of a single cron field. Knows nothing about the other fields.
enum CronFieldParser {
    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let weekdayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Compiles `text` (one whitespace-free field) for `field`, or throws a precise error.
    static func parse(_ text: String, as field: CronField) throws(CronParseError) -> CompiledField {
        var compiled = CompiledField()
        if text == "*" || (text == "?" && field.acceptsQuestionMark) {
            compiled.values = CronBits.all(in: field.wildcardRange)
            compiled.isUnrestricted = true
            compiled.isPeriodic = true
            return compiled
        }
        let elements = text.split(separator: ",", omittingEmptySubsequences: false)
        if elements.contains(where: { $0.isEmpty }) {
            throw .invalidToken(field: field, token: text, problem: .emptyListElement)
        }
        for element in elements {
            try parseElement(String(element), as: field, into: &compiled)
        }
        return compiled
    }

    private static func parseElement(_ element: String, as field: CronField,
                                     into compiled: inout CompiledField) throws(CronParseError) {
        func fail(_ problem: CronParseError.Problem, _ token: String = element) -> CronParseError {
            .invalidToken(field: field, token: token, problem: problem)
        }

        if element.contains("#") {
            guard field == .dayOfWeek else { throw fail(.occurrenceNotAllowed) }
            let parts = element.split(separator: "#", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { throw fail(.malformed) }
            let weekday = try value(String(parts[0]), as: field) % 7
            guard let occurrence = Int(parts[1]), parts[1].allSatisfy(\.isASCIIDigit),
                  (1...5).contains(occurrence) else {
                throw fail(.occurrenceOutOfRange)
            }
            compiled.occurrences.insert(weekday * 5 + occurrence - 1)
            return
        }
        if element == "?" {
            throw fail(field.acceptsQuestionMark ? .malformed : .questionMarkNotAllowed)
        }
        if element.uppercased() == "L" {
            guard field == .dayOfMonth else { throw fail(.lastNotAllowed) }
            compiled.includesLastDay = true
            return
        }

        let stepParts = element.split(separator: "/", omittingEmptySubsequences: false)
        guard stepParts.count <= 2, !stepParts[0].isEmpty else { throw fail(.malformed) }
        var step = 1
        if stepParts.count == 2 {
            guard stepParts[1].allSatisfy(\.isASCIIDigit), let parsed = Int(stepParts[1]), parsed > 0 else {
                throw fail(.invalidStep)
            }
            step = parsed
            compiled.isPeriodic = true
        }

        let base = String(stepParts[0])
        let lower: Int
        let upper: Int
        if base == "*" {
            compiled.isPeriodic = true
            lower = field.wildcardRange.lowerBound
            upper = field.wildcardRange.upperBound
        } else {
            let rangeParts = base.split(separator: "-", omittingEmptySubsequences: false)
            guard rangeParts.count <= 2, !rangeParts.contains(where: { $0.isEmpty }) else {
                throw fail(.malformed)
            }
            if field == .dayOfMonth, rangeParts.contains(where: { $0.uppercased() == "L" }) {
                throw fail(.lastNotCombinable)
            }
            let start = try value(String(rangeParts[0]), as: field)
            if rangeParts.count == 2 {
                var end = try value(String(rangeParts[1]), as: field)
                // `FRI-SUN`: a day-of-week range may end on Sunday written as 0.
                if field == .dayOfWeek, end == 0, start > 0 { end = 7 }
                guard start <= end else { throw fail(.reversedRange) }
                lower = start
                upper = end
            } else if stepParts.count == 2 {
                // `start/step` means `start-max/step`.
                lower = start
                upper = max(start, field.wildcardRange.upperBound)
            } else {
                lower = start
                upper = start
            }
        }
        for v in stride(from: lower, through: upper, by: step) {
            compiled.values.insert(field == .dayOfWeek ? v % 7 : v)
        }
    }

    /// A single number or (for month and day-of-week) a three-letter name, range-checked.
    private static func value(_ token: String, as field: CronField) throws(CronParseError) -> Int {
        if !token.isEmpty, token.allSatisfy(\.isASCIIDigit) {
            guard let number = Int(token), field.validRange.contains(number) else {
                throw .invalidToken(field: field, token: token, problem: .outOfRange)
            }
            return number
        }
        let upper = token.uppercased()
        switch field {
        case .month:
            guard let index = monthNames.firstIndex(of: upper) else {
                throw .invalidToken(field: field, token: token, problem: .notAMonth)
            }
            return index + 1
        case .dayOfWeek:
            guard let index = weekdayNames.firstIndex(of: upper) else {
                throw .invalidToken(field: field, token: token, problem: .notAWeekday)
            }
            return index
        default:
            throw .invalidToken(field: field, token: token, problem: .notANumber)
        }
    }
}

private extension Character {
    /// Whether the character is one of the ASCII digits 0–9.
    var isASCIIDigit: Bool {
        guard let ascii = asciiValue else { return false }
        return ascii >= 48 && ascii <= 57
    }
}
