import Foundation
import Spool
import Testing

/// One hand-computed row: starting from `from`, repeatedly asking for the next (or previous)
/// fire time of `expression` in `zone` must yield exactly `expected`, in order.
struct ScheduleRow: Sendable, CustomTestStringConvertible {
    let expression: String
    let zoneID: String
    let from: String
    let expected: [String]

    init(_ expression: String, _ zone: String, _ from: String, _ expected: [String]) {
        self.expression = expression
        self.zoneID = zone
        self.from = from
        self.expected = expected
    }

    var testDescription: String { "\"\(expression)\" in \(zoneID) from \(from)" }

    /// Checks the row walking forwards with `next`/`nextDates`.
    func checkForwards() throws {
        let cron = try CronExpression(expression)
        let tz = try zone(zoneID)
        let want = try expected.map { utc(try isoDate($0)) }
        let got = cron.nextDates(after: try isoDate(from), in: tz, count: expected.count).map(utc)
        #expect(got == want)
    }

    /// Checks the row walking backwards with repeated `previous`.
    func checkBackwards() throws {
        let cron = try CronExpression(expression)
        let tz = try zone(zoneID)
        let want = try expected.map { utc(try isoDate($0)) }
        var got: [String] = []
        var cursor = try isoDate(from)
        while got.count < expected.count, let earlier = cron.previous(before: cursor, in: tz) {
            got.append(utc(earlier))
            cursor = earlier
        }
        #expect(got == want)
    }
}
