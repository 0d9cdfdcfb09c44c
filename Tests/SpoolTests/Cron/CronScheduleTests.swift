import Foundation
import Spool
import Testing

/// Hand-computed fire times away from DST changes. Weekdays used in the reasoning:
/// 2016-02-01 Mon, 2024-01-01 Mon, 2024-12-01 Sun, 2025-01-01 Wed, 2025-02-01 Sat,
/// 2025-03-01 Sat, 2025-04-01 Tue, 2025-06-01 Sun, 2025-07-01 Tue, 2025-09-01 Mon, 2026-02-01 Sun.
@Suite("next/previous without DST")
struct CronScheduleTests {
    static let forwards: [ScheduleRow] = [
        // Leap day: 2100 is not a leap year.
        ScheduleRow("0 0 29 2 *", "UTC", "2025-01-01T00:00:00Z",
                    ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"]),
        ScheduleRow("0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z",
                    ["2104-02-29T00:00:00Z", "2108-02-29T00:00:00Z"]),
        ScheduleRow("0 0 29 2 *", "America/New_York", "2024-02-29T00:00:00-05:00",
                    ["2028-02-29T00:00:00-05:00"]),
        // Day 31 skips short months.
        ScheduleRow("0 0 31 * *", "UTC", "2025-01-31T00:00:00Z",
                    ["2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z",
                     "2025-08-31T00:00:00Z", "2025-10-31T00:00:00Z", "2025-12-31T00:00:00Z",
                     "2026-01-31T00:00:00Z"]),
        ScheduleRow("0 0 */10 * *", "UTC", "2025-01-31T00:00:00Z",
                    ["2025-02-01T00:00:00Z", "2025-02-11T00:00:00Z", "2025-02-21T00:00:00Z",
                     "2025-03-01T00:00:00Z", "2025-03-11T00:00:00Z", "2025-03-21T00:00:00Z",
                     "2025-03-31T00:00:00Z"]),
        // L = last day of the month.
        ScheduleRow("0 12 L * *", "UTC", "2024-01-15T00:00:00Z",
                    ["2024-01-31T12:00:00Z", "2024-02-29T12:00:00Z", "2024-03-31T12:00:00Z",
                     "2024-04-30T12:00:00Z"]),
        ScheduleRow("0 12 L 2 *", "UTC", "2025-01-01T00:00:00Z",
                    ["2025-02-28T12:00:00Z", "2026-02-28T12:00:00Z", "2027-02-28T12:00:00Z",
                     "2028-02-29T12:00:00Z"]),
        ScheduleRow("0 0 1,15,L * *", "UTC", "2025-02-01T00:00:00Z",
                    ["2025-02-15T00:00:00Z", "2025-02-28T00:00:00Z", "2025-03-01T00:00:00Z",
                     "2025-03-15T00:00:00Z", "2025-03-31T00:00:00Z"]),
        // DOW#N.
        ScheduleRow("0 9 * * 5#2", "UTC", "2025-01-01T00:00:00Z",
                    ["2025-01-10T09:00:00Z", "2025-02-14T09:00:00Z", "2025-03-14T09:00:00Z",
                     "2025-04-11T09:00:00Z"]),
        ScheduleRow("0 9 * * FRI#2", "UTC", "2025-01-01T00:00:00Z",
                    ["2025-01-10T09:00:00Z", "2025-02-14T09:00:00Z", "2025-03-14T09:00:00Z",
                     "2025-04-11T09:00:00Z"]),
        ScheduleRow("0 0 * * MON#5", "UTC", "2025-01-01T00:00:00Z",
                    ["2025-03-31T00:00:00Z", "2025-06-30T00:00:00Z", "2025-09-29T00:00:00Z"]),
        // A fifth Monday in February needs a leap year whose Feb 1 is a Monday: 28 years apart.
        ScheduleRow("0 0 * 2 MON#5", "UTC", "2016-03-01T00:00:00Z",
                    ["2044-02-29T00:00:00Z", "2072-02-29T00:00:00Z"]),
        // Day-of-month OR day-of-week when both are restricted.
        ScheduleRow("0 0 29 2 MON", "UTC", "2025-01-01T00:00:00Z",
                    ["2025-02-03T00:00:00Z", "2025-02-10T00:00:00Z", "2025-02-17T00:00:00Z",
                     "2025-02-24T00:00:00Z", "2026-02-02T00:00:00Z"]),
        ScheduleRow("0 0 13 * FRI", "UTC", "2025-06-01T00:00:00Z",
                    ["2025-06-06T00:00:00Z", "2025-06-13T00:00:00Z", "2025-06-20T00:00:00Z",
                     "2025-06-27T00:00:00Z", "2025-07-04T00:00:00Z", "2025-07-11T00:00:00Z",
                     "2025-07-13T00:00:00Z", "2025-07-18T00:00:00Z"]),
        ScheduleRow("0 0 L * SUN", "UTC", "2025-06-01T00:00:00Z",
                    ["2025-06-08T00:00:00Z", "2025-06-15T00:00:00Z", "2025-06-22T00:00:00Z",
                     "2025-06-29T00:00:00Z", "2025-06-30T00:00:00Z", "2025-07-06T00:00:00Z"]),
        // Only one day field restricted: only it decides.
        ScheduleRow("0 0 13 * ?", "UTC", "2025-06-01T00:00:00Z",
                    ["2025-06-13T00:00:00Z", "2025-07-13T00:00:00Z"]),
        ScheduleRow("0 0 * * FRI", "UTC", "2025-06-01T00:00:00Z",
                    ["2025-06-06T00:00:00Z", "2025-06-13T00:00:00Z", "2025-06-20T00:00:00Z"]),
        ScheduleRow("0 0 * * FRI-SUN", "UTC", "2025-01-01T00:00:00Z",
                    ["2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z", "2025-01-05T00:00:00Z",
                     "2025-01-10T00:00:00Z"]),
        // Seconds field.
        ScheduleRow("*/20 * * * * *", "UTC", "2025-01-01T00:00:00Z",
                    ["2025-01-01T00:00:20Z", "2025-01-01T00:00:40Z", "2025-01-01T00:01:00Z"]),
        ScheduleRow("30 15 10 * * *", "UTC", "2025-01-01T10:15:30Z",
                    ["2025-01-02T10:15:30Z", "2025-01-03T10:15:30Z"]),
        ScheduleRow("59 59 23 31 12 *", "UTC", "2025-06-01T00:00:00Z",
                    ["2025-12-31T23:59:59Z", "2026-12-31T23:59:59Z"]),
        // Steps and ranges.
        ScheduleRow("5/10 * * * *", "UTC", "2025-01-01T00:00:00Z",
                    ["2025-01-01T00:05:00Z", "2025-01-01T00:15:00Z", "2025-01-01T00:25:00Z",
                     "2025-01-01T00:35:00Z", "2025-01-01T00:45:00Z", "2025-01-01T00:55:00Z",
                     "2025-01-01T01:05:00Z"]),
        ScheduleRow("10-50/20 8-10 * * *", "UTC", "2025-01-01T00:00:00Z",
                    ["2025-01-01T08:10:00Z", "2025-01-01T08:30:00Z", "2025-01-01T08:50:00Z",
                     "2025-01-01T09:10:00Z"]),
        ScheduleRow("0 0 1 */3 *", "UTC", "2025-01-01T00:00:00Z",
                    ["2025-04-01T00:00:00Z", "2025-07-01T00:00:00Z", "2025-10-01T00:00:00Z",
                     "2026-01-01T00:00:00Z"]),
        // Macros.
        ScheduleRow("@weekly", "UTC", "2025-01-01T00:00:00Z", ["2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z"]),
        ScheduleRow("@yearly", "UTC", "2025-01-01T00:00:00Z", ["2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"]),
        ScheduleRow("@monthly", "UTC", "2025-01-15T00:00:00Z", ["2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"]),
        ScheduleRow("@hourly", "UTC", "2025-01-01T00:30:00Z", ["2025-01-01T01:00:00Z", "2025-01-01T02:00:00Z"]),
        // Asia/Kathmandu, +05:45 all year round.
        ScheduleRow("0 9 * * *", "Asia/Kathmandu", "2025-06-01T00:00:00Z",
                    ["2025-06-01T09:00:00+05:45", "2025-06-02T09:00:00+05:45"]),
        ScheduleRow("0 0 * * *", "Asia/Kathmandu", "2025-01-01T00:00:00Z",
                    ["2025-01-02T00:00:00+05:45", "2025-01-03T00:00:00+05:45"]),
        ScheduleRow("@yearly", "Asia/Kathmandu", "2025-01-01T00:00:00+05:45", ["2026-01-01T00:00:00+05:45"]),
        ScheduleRow("*/30 * * * *", "Asia/Kathmandu", "2025-06-01T00:00:00Z",
                    ["2025-06-01T06:00:00+05:45", "2025-06-01T06:30:00+05:45", "2025-06-01T07:00:00+05:45"]),
    ]

    static let backwards: [ScheduleRow] = [
        ScheduleRow("0 0 29 2 *", "UTC", "2025-01-01T00:00:00Z",
                    ["2024-02-29T00:00:00Z", "2020-02-29T00:00:00Z", "2016-02-29T00:00:00Z"]),
        ScheduleRow("0 0 29 2 *", "UTC", "2104-01-01T00:00:00Z", ["2096-02-29T00:00:00Z"]),
        ScheduleRow("0 0 31 * *", "UTC", "2025-03-31T00:00:00Z",
                    ["2025-01-31T00:00:00Z", "2024-12-31T00:00:00Z", "2024-10-31T00:00:00Z"]),
        ScheduleRow("0 12 L * *", "UTC", "2024-03-31T12:00:00Z",
                    ["2024-02-29T12:00:00Z", "2024-01-31T12:00:00Z", "2023-12-31T12:00:00Z"]),
        ScheduleRow("0 9 * * 5#2", "UTC", "2025-03-14T09:00:00Z",
                    ["2025-02-14T09:00:00Z", "2025-01-10T09:00:00Z", "2024-12-13T09:00:00Z"]),
        ScheduleRow("0 0 * 2 MON#5", "UTC", "2044-01-01T00:00:00Z",
                    ["2016-02-29T00:00:00Z", "1988-02-29T00:00:00Z"]),
        ScheduleRow("0 0 13 * FRI", "UTC", "2025-07-14T00:00:00Z",
                    ["2025-07-13T00:00:00Z", "2025-07-11T00:00:00Z", "2025-07-04T00:00:00Z",
                     "2025-06-27T00:00:00Z"]),
        ScheduleRow("*/20 * * * * *", "UTC", "2025-01-01T00:00:00Z",
                    ["2024-12-31T23:59:40Z", "2024-12-31T23:59:20Z", "2024-12-31T23:59:00Z"]),
        ScheduleRow("0 0 1,15,L * *", "UTC", "2025-03-02T00:00:00Z",
                    ["2025-03-01T00:00:00Z", "2025-02-28T00:00:00Z", "2025-02-15T00:00:00Z",
                     "2025-02-01T00:00:00Z", "2025-01-31T00:00:00Z"]),
        // 2025-01-01T00:00:00Z is already 05:45 on 1 January in Kathmandu.
        ScheduleRow("0 0 * * *", "Asia/Kathmandu", "2025-01-01T00:00:00Z",
                    ["2025-01-01T00:00:00+05:45", "2024-12-31T00:00:00+05:45"]),
    ]

    @Test(arguments: forwards)
    func next(_ row: ScheduleRow) throws { try row.checkForwards() }

    @Test(arguments: backwards)
    func previous(_ row: ScheduleRow) throws { try row.checkBackwards() }

    @Test func fractionalSecondsAreStrict() throws {
        let cron = try CronExpression("30 15 10 * * *")
        let tz = try zone("UTC")
        let fire = try isoDate("2025-01-01T10:15:30Z")
        #expect(cron.next(after: fire.addingTimeInterval(-0.5), in: tz) == fire)
        #expect(cron.next(after: fire.addingTimeInterval(-0.001), in: tz) == fire)
        #expect(cron.next(after: fire, in: tz) == fire.addingTimeInterval(86_400))
        #expect(cron.previous(before: fire.addingTimeInterval(0.25), in: tz) == fire)
        #expect(cron.previous(before: fire, in: tz) == fire.addingTimeInterval(-86_400))
    }

    @Test func nextDatesCountEdgeCases() throws {
        let cron = try CronExpression("@hourly")
        let tz = try zone("UTC")
        let start = try isoDate("2025-01-01T00:00:00Z")
        #expect(cron.nextDates(after: start, in: tz, count: 0).isEmpty)
        #expect(cron.nextDates(after: start, in: tz, count: -3).isEmpty)
        #expect(cron.nextDates(after: start, in: tz, count: 1000).count == 1000)
        #expect(cron.nextDates(after: start, in: tz, count: 1000).last == start.addingTimeInterval(1000 * 3600))
    }

    @Test func unrepresentableDatesGiveNil() throws {
        let cron = try CronExpression("* * * * *")
        let tz = try zone("UTC")
        #expect(cron.next(after: Date(timeIntervalSince1970: .infinity), in: tz) == nil)
        #expect(cron.previous(before: Date(timeIntervalSince1970: .nan), in: tz) == nil)
        #expect(cron.next(after: Date.distantFuture, in: tz).map { $0 > Date.distantFuture } == true)
    }
}
