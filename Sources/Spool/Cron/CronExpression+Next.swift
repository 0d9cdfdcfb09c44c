import Foundation

/// Finding fire times in a time zone.
///
/// ## Time zones and daylight-saving time
/// Matching is done on the local wall clock of the given zone (any IANA zone, including
/// half-hour shifts such as Australia/Lord_Howe and odd offsets such as Asia/Kathmandu
/// +05:45). Fire times are whole seconds. When the zone's clock jumps:
///
/// - **Spring-forward gap** — a matching wall-clock time that does not exist that day (e.g.
///   02:30 on the US spring-forward day in America/New_York) fires ONCE, at the first instant
///   after the gap (the instant the gap ends, 03:00 local in that example). Several skipped
///   matches (e.g. `*/15` inside the gap) collapse into that single firing.
/// - **Fall-back overlap**, fixed-time schedules (the hour field is a specific value, list or
///   plain range such as `1`, `1,13` or `1-3`) — a repeated wall-clock time fires ONCE, at
///   its first occurrence.
/// - **Fall-back overlap**, periodic schedules (the hour field contains `*` or a `/` step,
///   e.g. `0 * * * *`, `*/15 * * * *`, `0 */2 * * *`) — keep firing with real time: a matching
///   wall-clock time in the repeated hour fires in BOTH occurrences.
///
/// The search jumps field by field (month, day, hour, minute, second), so its cost does not
/// depend on how far away the answer is in minutes. It looks at most about 400 years ahead
/// (or back) — enough for every expression this type accepts, e.g. `0 0 * 2 MON#5` — and
/// returns nil beyond that or outside the representable range.
extension CronExpression {
    /// How far `next`/`previous` search before giving up (about 400 years).
    static let searchHorizon = 400 * 366 * CivilTime.secondsPerDay

    /// The earliest fire time strictly after `date`, evaluated on the wall clock of
    /// `timeZone` with the DST behaviour documented on this extension; nil if there is none
    /// within about 400 years.
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        guard let now = Self.wholeSeconds(date, roundingUp: false) else { return nil }
        let clock = ZoneClock(timeZone: timeZone)
        let nearby = clock.transition(near: now)

        // First occurrences (and gap ends) are non-decreasing in wall time, so the answer among
        // them is the first matching wall time whose first occurrence lies after `now`.
        var start = clock.wall(at: now) + 1
        if let change = nearby, change.isFallBack,
           now >= change.instant, now < change.instant + change.length {
            // `now` is inside the second copy of a repeated hour: every repeated wall time has
            // already had its first occurrence, so first occurrences resume after the overlap.
            start = change.instant + change.offsetBefore
        }
        var best = nextMatchingWall(atOrAfter: start, notAfter: start + Self.searchHorizon)
            .map { clock.resolve(wall: $0).firstInstant }

        // Periodic schedules also fire at second occurrences; only those of an overlap around
        // `now` can beat `best` (any later one comes after its own first occurrence).
        if hourIsPeriodic, let change = nearby, change.isFallBack {
            let repeated = change.affectedWalls
            let from = max(repeated.lowerBound, now + change.offsetAfter + 1)
            if let wall = nextMatchingWall(atOrAfter: from, notAfter: repeated.upperBound - 1) {
                let second = wall - change.offsetAfter
                best = min(best ?? second, second)
            }
        }
        return best.map { Date(timeIntervalSince1970: Double($0)) }
    }

    /// The latest fire time strictly before `date`, evaluated on the wall clock of
    /// `timeZone` with the DST behaviour documented on this extension; nil if there is none
    /// within about 400 years.
    public func previous(before date: Date, in timeZone: TimeZone) -> Date? {
        guard let now = Self.wholeSeconds(date, roundingUp: true) else { return nil }
        let clock = ZoneClock(timeZone: timeZone)
        let nearby = clock.transition(near: now)

        // The last matching wall time whose first occurrence (or gap end) lies before `now`.
        var end = clock.wall(at: now) - 1
        if let change = nearby {
            if change.isFallBack, now >= change.instant, now < change.instant + change.length {
                // Inside the second copy of a repeated hour: all repeated wall times had their
                // first occurrence before the change.
                end = change.affectedWalls.upperBound - 1
            } else if !change.isFallBack, now == change.instant {
                // `now` is the end of a gap: the skipped wall times fire exactly at `now`.
                end = change.affectedWalls.lowerBound - 1
            }
        }
        var best: Int?
        if let wall = previousMatchingWall(atOrBefore: end, notBefore: end - Self.searchHorizon) {
            let resolution = clock.resolve(wall: wall)
            best = resolution.firstInstant
            if hourIsPeriodic, case .repeated(_, let second) = resolution, second < now {
                best = second
            }
        }

        // Periodic schedules: second occurrences of an overlap around `now`.
        if hourIsPeriodic, let change = nearby, change.isFallBack {
            let repeated = change.affectedWalls
            let upTo = min(repeated.upperBound - 1, now + change.offsetAfter - 1)
            if let wall = previousMatchingWall(atOrBefore: upTo, notBefore: repeated.lowerBound) {
                let second = wall - change.offsetAfter
                best = max(best ?? second, second)
            }
        }
        return best.map { Date(timeIntervalSince1970: Double($0)) }
    }

    /// Up to `count` consecutive fire times strictly after `date` (fewer only if the schedule
    /// runs out within the search horizon); empty when `count <= 0`.
    public func nextDates(after date: Date, in timeZone: TimeZone, count: Int) -> [Date] {
        var result: [Date] = []
        guard count > 0 else { return result }
        result.reserveCapacity(count)
        var cursor = date
        while result.count < count, let fire = next(after: cursor, in: timeZone) {
            result.append(fire)
            cursor = fire
        }
        return result
    }

    /// `date` as whole seconds since 1970 (rounded as asked), or nil when it is not finite or
    /// lies absurdly far (beyond ±3 million years) from the epoch.
    private static func wholeSeconds(_ date: Date, roundingUp: Bool) -> Int? {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1.0e14 else { return nil }
        return Int(roundingUp ? seconds.rounded(.up) : seconds.rounded(.down))
    }
}
