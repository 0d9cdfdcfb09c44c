import Foundation
import Spool
import Testing

@Suite("Randomized properties")
struct CronPropertyTests {
    /// A random instant: half the time anywhere in 1990–2040, half the time within three hours
    /// of one of the zone's offset changes; sometimes on a whole minute, sometimes fractional.
    private static func randomInstant(in tz: TimeZone, using rng: inout SplitMix64) -> Date {
        let base = Double.random(in: 631_152_000...2_208_988_800, using: &rng)   // 1990...2040
        var date = Date(timeIntervalSince1970: base)
        if Bool.random(using: &rng), let change = tz.nextDaylightSavingTimeTransition(after: date) {
            date = change.addingTimeInterval(Double(Int.random(in: -180...180, using: &rng) * 60))
        }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        case 1: return date
        default: return Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
        }
    }

    /// `previous(before: next(after: d)) <= d`, `next(after: previous(before: d)) >= d`, and the
    /// two walks agree on the fire times surrounding `d`.
    @Test func nextAndPreviousAreConsistent() throws {
        var generator = CronGenerator(seed: 0x5EED_0001)
        var rng = SplitMix64(seed: 0x5EED_0002)
        for _ in 0..<3000 {
            let (random, cron) = generator.nextValid()
            let tz = try zone(sampleZones[Int.random(in: 0..<sampleZones.count, using: &rng)])
            let d = Self.randomInstant(in: tz, using: &rng)
            let context: Comment = "\(random.text) in \(tz.identifier) at \(utc(d)) (\(d.timeIntervalSince1970))"

            let n = try #require(cron.next(after: d, in: tz), context)
            let q = try #require(cron.previous(before: d, in: tz), context)
            #expect(n > d, context)
            #expect(q < d, context)
            let backFromNext = try #require(cron.previous(before: n, in: tz), context)
            let forwardFromPrevious = try #require(cron.next(after: q, in: tz), context)
            #expect(backFromNext <= d, context)
            #expect(forwardFromPrevious >= d, context)
            if forwardFromPrevious == n {
                // `d` is not itself a fire time: q and n are neighbours.
                #expect(backFromNext == q, context)
            } else {
                // `d` is a fire time: it sits between q and n.
                #expect(forwardFromPrevious == d, context)
                #expect(backFromNext == d, context)
            }
        }
    }

    /// Everything a brute-force scan needs to know about one minute of a window.
    private struct Minute {
        let instant: Date
        let wall: WallReading
        let isSecondOccurrence: Bool
        let skippedWalls: [WallReading]
    }

    /// Per-minute facts for `[center - 30h, center + 30h]`, computed with `Calendar` and
    /// `secondsFromGMT` only.
    private static func minutes(around center: Date, in tz: TimeZone) -> [Minute] {
        var local = Calendar(identifier: .gregorian)
        local.timeZone = tz
        var wallCalendar = Calendar(identifier: .gregorian)
        wallCalendar.timeZone = TimeZone(secondsFromGMT: 0) ?? tz
        let start = (center.timeIntervalSince1970 / 60).rounded(.down) * 60 - 30 * 3600
        return (0...3600).map { index in
            let t = start + Double(index * 60)
            let instant = Date(timeIntervalSince1970: t)
            let offset = tz.secondsFromGMT(for: instant)
            let earlierOffset = tz.secondsFromGMT(for: instant.addingTimeInterval(-86_400))
            let repeatLength = Double(earlierOffset - offset)
            let isSecond = repeatLength > 0
                && tz.secondsFromGMT(for: instant.addingTimeInterval(-repeatLength)) == earlierOffset
            let offsetJustBefore = tz.secondsFromGMT(for: instant.addingTimeInterval(-1))
            var skipped: [WallReading] = []
            if offsetJustBefore < offset {
                let wallNow = t + Double(offset)
                for k in 1...((offset - offsetJustBefore) / 60) {
                    skipped.append(WallReading(Date(timeIntervalSince1970: wallNow - Double(k * 60)),
                                               calendar: wallCalendar))
                }
            }
            return Minute(instant: instant, wall: WallReading(instant, calendar: local),
                          isSecondOccurrence: isSecond, skippedWalls: skipped)
        }
    }

    /// Compares `next` and `previous` with a minute-by-minute scan applying the documented
    /// rules directly, in windows around real offset changes (and one window without any).
    @Test(arguments: [
        ("America/New_York", "2025-01-01T00:00:00Z", 2),
        ("Europe/Berlin", "2025-01-01T00:00:00Z", 2),
        ("Australia/Lord_Howe", "2025-01-01T00:00:00Z", 2),
        ("Pacific/Chatham", "2025-01-01T00:00:00Z", 2),
        ("America/St_Johns", "2025-01-01T00:00:00Z", 2),
        ("Asia/Kathmandu", "1985-01-01T00:00:00Z", 1),
    ])
    func agreesWithBruteForceAroundTransitions(_ zoneID: String, _ from: String, _ transitions: Int) throws {
        let tz = try zone(zoneID)
        var centers: [Date] = []
        var cursor = try isoDate(from)
        while centers.count < transitions, let change = tz.nextDaylightSavingTimeTransition(after: cursor) {
            centers.append(change)
            cursor = change
        }
        #expect(centers.count == transitions)
        if zoneID == "Asia/Kathmandu" { centers.append(try isoDate("2025-06-01T00:00:00Z")) }

        var generator = CronGenerator(seed: UInt64(truncatingIfNeeded: zoneID.utf8.reduce(7) { $0 &* 31 &+ Int($1) }))
        generator.sixFieldChance = 0
        generator.dayStarChance = 0.7
        generator.monthStarChance = 0.8
        for center in centers {
            let window = Self.minutes(around: center, in: tz)
            guard let first = window.first?.instant, let last = window.last?.instant else { continue }
            for _ in 0..<60 {
                let (random, cron) = generator.nextValid()
                let expected = window.filter { minute in
                    (random.matches(minute.wall) && (!minute.isSecondOccurrence || random.hourIsPeriodic))
                        || minute.skippedWalls.contains(where: random.matches)
                }.map { utc($0.instant) }

                var forwards: [String] = []
                var position = first.addingTimeInterval(-0.5)
                while let fire = cron.next(after: position, in: tz), fire <= last {
                    guard fire > position, forwards.count <= window.count else {
                        Issue.record("next(after:) did not move forward: \(random.text) at \(utc(position))")
                        break
                    }
                    forwards.append(utc(fire))
                    position = fire
                }
                var backwards: [String] = []
                position = last.addingTimeInterval(0.5)
                while let fire = cron.previous(before: position, in: tz), fire >= first {
                    guard fire < position, backwards.count <= window.count else {
                        Issue.record("previous(before:) did not move back: \(random.text) at \(utc(position))")
                        break
                    }
                    backwards.append(utc(fire))
                    position = fire
                }
                #expect(forwards == expected, "\(random.text) in \(zoneID) around \(utc(center))")
                #expect(backwards.reversed() == expected, "\(random.text) in \(zoneID) around \(utc(center))")
            }
        }
    }

    /// Not a timed assertion: computes `next` for 10,000 random expressions and prints how long
    /// it took, checking only that every answer exists and lies strictly after the start.
    @Test func nextOverRandomExpressionsBenchmark() throws {
        var generator = CronGenerator(seed: 0xBE0C_0001)
        var rng = SplitMix64(seed: 0xBE0C_0002)
        let zones = try sampleZones.map(zone)
        var jobs: [(CronExpression, TimeZone, Date)] = []
        jobs.reserveCapacity(10_000)
        let clock = ContinuousClock()
        let parseStart = clock.now
        while jobs.count < 10_000 {
            let (_, cron) = generator.nextValid()
            let start = Date(timeIntervalSince1970: Double.random(in: 946_684_800...2_208_988_800, using: &rng))
            jobs.append((cron, zones[Int.random(in: 0..<zones.count, using: &rng)], start))
        }
        let generateElapsed = clock.now - parseStart
        let texts = jobs.map(\.0.description)
        let reparseStart = clock.now
        let reparsed = try texts.map { try CronExpression($0) }
        let parseElapsed = clock.now - reparseStart
        #expect(reparsed == jobs.map(\.0))

        var results: [Date?] = []
        results.reserveCapacity(jobs.count)
        let nextStart = clock.now
        for (cron, tz, start) in jobs {
            results.append(cron.next(after: start, in: tz))
        }
        let nextElapsed = clock.now - nextStart

        for (job, result) in zip(jobs, results) {
            let fire = try #require(result, "\(job.0) in \(job.1.identifier) after \(utc(job.2))")
            #expect(fire > job.2, "\(job.0) in \(job.1.identifier) after \(utc(job.2))")
        }
        print("nextOverRandomExpressionsBenchmark: 10000 × next(after:in:) took \(nextElapsed); "
              + "10000 × init(_:) took \(parseElapsed) (test-side generation took \(generateElapsed))")
    }
}
