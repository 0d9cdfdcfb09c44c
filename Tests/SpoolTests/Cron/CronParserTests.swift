import Foundation
import Spool
import Testing

@Suite("Parsing cron expressions")
struct CronParserTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let text: String
        let normalized: String
        let hasSeconds: Bool
        var testDescription: String { "\"\(text)\"" }
    }

    static let valid: [Valid] = [
        Valid(text: "*/15 * * * *", normalized: "*/15 * * * *", hasSeconds: false),
        Valid(text: "  0   9  *  *  mon-fri ", normalized: "0 9 * * MON-FRI", hasSeconds: false),
        Valid(text: "0\t0 1 jan *", normalized: "0 0 1 JAN *", hasSeconds: false),
        Valid(text: "30 0 0 * * ?", normalized: "30 0 0 * * ?", hasSeconds: true),
        Valid(text: "0 0 ? * Sun", normalized: "0 0 ? * SUN", hasSeconds: false),
        Valid(text: "0 0 1,15,l * *", normalized: "0 0 1,15,L * *", hasSeconds: false),
        Valid(text: "0 12 L * *", normalized: "0 12 L * *", hasSeconds: false),
        Valid(text: "0 9 * * fri#2", normalized: "0 9 * * FRI#2", hasSeconds: false),
        Valid(text: "0 9 * * 5#2,1#1", normalized: "0 9 * * 5#2,1#1", hasSeconds: false),
        Valid(text: "5/10 10-20/5 1-5 1-12/2 0-7", normalized: "5/10 10-20/5 1-5 1-12/2 0-7", hasSeconds: false),
        Valid(text: "0 0 29 2 *", normalized: "0 0 29 2 *", hasSeconds: false),
        Valid(text: "0 0 30,31 2 MON", normalized: "0 0 30,31 2 MON", hasSeconds: false),
        Valid(text: "59 59 23 31 12 7", normalized: "59 59 23 31 12 7", hasSeconds: true),
        Valid(text: "0 0 * * fri-sun", normalized: "0 0 * * FRI-SUN", hasSeconds: false),
        Valid(text: "0 0 1 jan-Mar,oct *", normalized: "0 0 1 JAN-MAR,OCT *", hasSeconds: false),
        Valid(text: "@DAILY", normalized: "@daily", hasSeconds: false),
        Valid(text: " @Annually ", normalized: "@annually", hasSeconds: false),
        Valid(text: "@yearly", normalized: "@yearly", hasSeconds: false),
        Valid(text: "@monthly", normalized: "@monthly", hasSeconds: false),
        Valid(text: "@weekly", normalized: "@weekly", hasSeconds: false),
        Valid(text: "@midnight", normalized: "@midnight", hasSeconds: false),
        Valid(text: "@hourly", normalized: "@hourly", hasSeconds: false),
    ]

    @Test(arguments: valid)
    func parsesAndNormalizes(_ row: Valid) throws {
        let cron = try CronExpression(row.text)
        #expect(cron.description == row.normalized)
        #expect("\(cron)" == row.normalized)
        #expect(cron.hasSecondsField == row.hasSeconds)
        // The normalized text parses to the same expression.
        #expect(try CronExpression(cron.description) == cron)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let text: String
        let message: String
        var testDescription: String { "\"\(text)\"" }
    }

    static let invalid: [Invalid] = [
        Invalid(text: "", message: "expected 5 or 6 fields, found 0"),
        Invalid(text: "   ", message: "expected 5 or 6 fields, found 0"),
        Invalid(text: "* * * *", message: "expected 5 or 6 fields, found 4"),
        Invalid(text: "0 0 0 1 1 * 2025", message: "expected 5 or 6 fields, found 7"),
        Invalid(text: "61 * * * *", message: "minute field: \"61\" is out of range 0–59"),
        Invalid(text: "60 * * * * *", message: "second field: \"60\" is out of range 0–59"),
        Invalid(text: "0 60 * * * *", message: "minute field: \"60\" is out of range 0–59"),
        Invalid(text: "* 24 * * *", message: "hour field: \"24\" is out of range 0–23"),
        Invalid(text: "* * 0 * *", message: "day-of-month field: \"0\" is out of range 1–31"),
        Invalid(text: "* * 1-32 * *", message: "day-of-month field: \"32\" is out of range 1–31"),
        Invalid(text: "* * * 13 *", message: "month field: \"13\" is out of range 1–12"),
        Invalid(text: "* * * 0 *", message: "month field: \"0\" is out of range 1–12"),
        Invalid(text: "* * * * 8", message: "day-of-week field: \"8\" is out of range 0–7"),
        Invalid(text: "99999999999999999999 * * * *",
                message: "minute field: \"99999999999999999999\" is out of range 0–59"),
        Invalid(text: "* * * * 5#6", message: "day-of-week field: \"5#6\" — occurrence must be 1–5"),
        Invalid(text: "* * * * FRI#0", message: "day-of-week field: \"FRI#0\" — occurrence must be 1–5"),
        Invalid(text: "* * * * 5#", message: "day-of-week field: \"5#\" — occurrence must be 1–5"),
        Invalid(text: "* * * * #2", message: "day-of-week field: \"#2\" is malformed"),
        Invalid(text: "* * * * 9#2", message: "day-of-week field: \"9\" is out of range 0–7"),
        Invalid(text: "5#2 * * * *", message: "minute field: \"5#2\" — \"#\" is only allowed in day-of-week"),
        Invalid(text: "* * * FOO *", message: "month field: \"FOO\" is not a month (1–12 or JAN–DEC)"),
        Invalid(text: "* * * jan-foo *", message: "month field: \"foo\" is not a month (1–12 or JAN–DEC)"),
        Invalid(text: "* * * * fun", message: "day-of-week field: \"fun\" is not a weekday (0–7 or SUN–SAT)"),
        Invalid(text: "*/5 * * * * extra", message: "day-of-week field: \"extra\" is not a weekday (0–7 or SUN–SAT)"),
        Invalid(text: "MON * * * *", message: "minute field: \"MON\" is not a number"),
        Invalid(text: "* * JAN * *", message: "day-of-month field: \"JAN\" is not a number"),
        Invalid(text: "*/0 * * * *", message: "minute field: \"*/0\" — step must be a positive integer"),
        Invalid(text: "*/x * * * *", message: "minute field: \"*/x\" — step must be a positive integer"),
        Invalid(text: "1-5/ * * * *", message: "minute field: \"1-5/\" — step must be a positive integer"),
        Invalid(text: "5-2 * * * *", message: "minute field: \"5-2\" — range start is greater than range end"),
        Invalid(text: "* * * DEC-JAN *", message: "month field: \"DEC-JAN\" — range start is greater than range end"),
        Invalid(text: "1-2-3 * * * *", message: "minute field: \"1-2-3\" is malformed"),
        Invalid(text: "1/2/3 * * * *", message: "minute field: \"1/2/3\" is malformed"),
        Invalid(text: "-5 * * * *", message: "minute field: \"-5\" is malformed"),
        Invalid(text: "1,,2 * * * *", message: "minute field: \"1,,2\" has an empty list element"),
        Invalid(text: "1, * * * *", message: "minute field: \"1,\" has an empty list element"),
        Invalid(text: "? * * * *", message: "minute field: \"?\" is only allowed in day-of-month and day-of-week"),
        Invalid(text: "* * * ? *", message: "month field: \"?\" is only allowed in day-of-month and day-of-week"),
        Invalid(text: "* * * * L", message: "day-of-week field: \"L\" is only allowed in day-of-month"),
        Invalid(text: "* L * * *", message: "hour field: \"L\" is only allowed in day-of-month"),
        Invalid(text: "* * L-5 * *", message: "day-of-month field: \"L-5\" — \"L\" cannot be part of a range or step"),
        Invalid(text: "* * L/2 * *", message: "day-of-month field: \"L/2\" — \"L\" cannot be part of a range or step"),
        Invalid(text: "@reboot", message: "\"@reboot\" is not supported: it runs at system start-up, not at a calendar time"),
        Invalid(text: "@fortnightly",
                message: "unknown macro \"@fortnightly\" (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"),
        Invalid(text: "@daily 5", message: "macro \"@daily\" cannot be combined with other fields"),
        Invalid(text: "0 0 31 2 *", message: "never fires: February has at most 29 days"),
        Invalid(text: "0 0 30 2 *", message: "never fires: February has at most 29 days"),
        Invalid(text: "0 0 30,31 FEB ?", message: "never fires: February has at most 29 days"),
        Invalid(text: "0 0 0 31 2 *", message: "never fires: February has at most 29 days"),
        Invalid(text: "0 0 31 4,6,9,11 *",
                message: "never fires: day-of-month 31 never occurs in the selected months, which have at most 30 days"),
    ]

    @Test(arguments: invalid)
    func rejectsWithPreciseMessage(_ row: Invalid) {
        do {
            let parsed = try CronExpression(row.text)
            Issue.record("expected an error, parsed \(parsed)")
        } catch {
            #expect(error.description == row.message)
            #expect("\(error)" == row.message)
        }
    }

    @Test func errorsCarryStructuredDetails() {
        #expect(throws: CronParseError.invalidToken(field: .minute, token: "61", problem: .outOfRange)) {
            try CronExpression("61 * * * *")
        }
        #expect(throws: CronParseError.wrongFieldCount(found: 4)) { try CronExpression("* * * *") }
        #expect(throws: CronParseError.unsupportedMacro("@reboot")) { try CronExpression("@reboot") }
        #expect(throws: CronParseError.invalidToken(field: .dayOfWeek, token: "5#6", problem: .occurrenceOutOfRange)) {
            try CronExpression("0 0 * * 5#6")
        }
    }

    @Test func fieldNamesAndRanges() {
        #expect(CronField.allCases.map(\.description)
                == ["second", "minute", "hour", "day-of-month", "month", "day-of-week"])
        #expect(CronField.allCases.map(\.validRange) == [0...59, 0...59, 0...23, 1...31, 1...12, 0...7])
    }

    /// Different spellings of the same schedule must produce the same fire times.
    static let equivalent: [[String]] = [
        ["0 0 * * MON-FRI", "0 0 * * 1-5", "0 0 * * 1,2,3,4,5", "0 0 * * mon,TUE,wed-fri"],
        ["*/15 * * * *", "0,15,30,45 * * * *", "0-59/15 * * * *", "0/15 * * * *"],
        ["5/10 * * * *", "5-59/10 * * * *", "5,15,25,35,45,55 * * * *"],
        ["10-50/20 * * * *", "10,30,50 * * * *"],
        ["0 0 * * 7", "0 0 * * 0", "0 0 * * sun", "0 0 * * SUN", "@weekly"],
        ["@daily", "@midnight", "0 0 * * *", "0 0 0 * * *", "0 0 ? * *", "0 0 * * ?"],
        ["@yearly", "@annually", "0 0 1 1 *", "0 0 1 JAN ?", "0 0 0 1 jan *"],
        ["@monthly", "0 0 1 * *"],
        ["@hourly", "0 * * * *"],
        ["0 0 * * FRI-SUN", "0 0 * * 5,6,0", "0 0 * * 5-7", "0 0 * * fri-7"],
        ["0 0 * * 1#1", "0 0 * * mon#1"],
        ["0 0 * * 0#2", "0 0 * * 7#2", "0 0 * * SUN#2"],
        ["0 0 1 jan,Jul *", "0 0 1 1,7 *"],
        ["0 0 1 */3 *", "0 0 1 1,4,7,10 *", "0 0 1 JAN/3 *"],
        ["0 12 * * */2", "0 12 * * 0,2,4,6"],
        ["0 0 * * 3/2", "0 0 * * 3,5"],
        ["0 0 */10 * *", "0 0 1,11,21,31 * *"],
        ["0 0 L 4,6,9,11 *", "0 0 30 APR,JUN,SEP,NOV *"],
    ]

    @Test(arguments: equivalent)
    func spellingsAreEquivalent(_ spellings: [String]) throws {
        let start = try isoDate("2024-01-01T00:00:00Z")
        for zoneID in ["UTC", "America/New_York"] {
            let tz = try zone(zoneID)
            let reference = try CronExpression(spellings[0]).nextDates(after: start, in: tz, count: 60).map(utc)
            #expect(reference.count == 60)
            for other in spellings.dropFirst() {
                let dates = try CronExpression(other).nextDates(after: start, in: tz, count: 60).map(utc)
                #expect(dates == reference, "\(other) vs \(spellings[0]) in \(zoneID)")
            }
        }
    }

    @Test func equalityAndHashingFollowNormalizedText() throws {
        #expect(try CronExpression("0 0 * * mon") == CronExpression("0  0 * * MON"))
        #expect(try CronExpression("0 0 * * MON") != CronExpression("0 0 * * 1"))
        let set: Set<CronExpression> = try [CronExpression("@daily"), CronExpression("@DAILY"), CronExpression("@hourly")]
        #expect(set.count == 2)
    }
}
