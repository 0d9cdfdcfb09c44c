/// Field-jumping search over wall-clock readings (no time zone involved): find the nearest
/// reading that matches every field, advancing month → day → hour → minute → second and
/// resetting the finer fields whenever a coarser one moves. Cost is proportional to the
/// number of months/days skipped, never to the number of minutes.
extension CronExpression {
    /// The days of `month` in `year` that match, as a bit mask over 1...31.
    func matchingDays(year: Int, month: Int) -> CronBits {
        let length = CivilTime.daysInMonth(year: year, month: month)
        let validDays: UInt64 = ((1 << UInt64(length + 1)) - 1) & ~1
        if !dayOfMonthRestricted && !dayOfWeekRestricted {
            return CronBits(raw: validDays)
        }

        var byDate = daysOfMonth.raw & validDays
        if includesLastDayOfMonth { byDate |= 1 << UInt64(length) }

        var byWeekday: UInt64 = 0
        let firstWeekday = CivilTime.weekday(daysSinceEpoch: CivilTime.daysSinceEpoch(year: year, month: month, day: 1))
        for weekday in 0..<7 {
            let firstDay = 1 + (weekday - firstWeekday + 7) % 7
            if daysOfWeek.contains(weekday) {
                for day in stride(from: firstDay, through: length, by: 7) {
                    byWeekday |= 1 << UInt64(day)
                }
            }
            for occurrence in 1...5 where weekdayOccurrences.contains(weekday * 5 + occurrence - 1) {
                let day = firstDay + 7 * (occurrence - 1)
                if day <= length { byWeekday |= 1 << UInt64(day) }
            }
        }

        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return CronBits(raw: byDate | byWeekday)
        case (true, false): return CronBits(raw: byDate)
        default: return CronBits(raw: byWeekday)
        }
    }

    /// The earliest matching wall-clock reading in `start...limit`, or nil.
    func nextMatchingWall(atOrAfter start: Int, notAfter limit: Int) -> Int? {
        guard start <= limit else { return nil }
        let from = CivilTime.fields(ofWall: start)
        let until = CivilTime.fields(ofWall: limit)
        let lastMonthIndex = until.year * 12 + until.month
        var (year, month, day) = (from.year, from.month, from.day)
        var (hour, minute, second) = (from.hour, from.minute, from.second)
        var cachedMonthIndex = Int.min
        var days = CronBits()

        while year * 12 + month <= lastMonthIndex {
            guard let matchingMonth = months.next(atOrAfter: month) else {
                (year, month, day, hour, minute, second) = (year + 1, 1, 1, 0, 0, 0)
                continue
            }
            if matchingMonth != month {
                (month, day, hour, minute, second) = (matchingMonth, 1, 0, 0, 0)
                continue
            }
            if cachedMonthIndex != year * 12 + month {
                cachedMonthIndex = year * 12 + month
                days = matchingDays(year: year, month: month)
            }
            guard let matchingDay = days.next(atOrAfter: day) else {
                month += 1
                if month > 12 { (year, month) = (year + 1, 1) }
                (day, hour, minute, second) = (1, 0, 0, 0)
                continue
            }
            if matchingDay != day { (day, hour, minute, second) = (matchingDay, 0, 0, 0) }
            guard let matchingHour = hours.next(atOrAfter: hour) else {
                (day, hour, minute, second) = (day + 1, 0, 0, 0)
                continue
            }
            if matchingHour != hour { (hour, minute, second) = (matchingHour, 0, 0) }
            guard let matchingMinute = minutes.next(atOrAfter: minute) else {
                (hour, minute, second) = (hour + 1, 0, 0)
                continue
            }
            if matchingMinute != minute { (minute, second) = (matchingMinute, 0) }
            guard let matchingSecond = seconds.next(atOrAfter: second) else {
                (minute, second) = (minute + 1, 0)
                continue
            }
            let wall = CivilTime.wallSeconds(year: year, month: month, day: day,
                                             hour: hour, minute: minute, second: matchingSecond)
            return wall <= limit ? wall : nil
        }
        return nil
    }

    /// The latest matching wall-clock reading in `limit...start`, or nil.
    func previousMatchingWall(atOrBefore start: Int, notBefore limit: Int) -> Int? {
        guard start >= limit else { return nil }
        let from = CivilTime.fields(ofWall: start)
        let until = CivilTime.fields(ofWall: limit)
        let firstMonthIndex = until.year * 12 + until.month
        var (year, month, day) = (from.year, from.month, from.day)
        var (hour, minute, second) = (from.hour, from.minute, from.second)
        var cachedMonthIndex = Int.min
        var days = CronBits()

        while year * 12 + month >= firstMonthIndex {
            guard let matchingMonth = months.previous(atOrBefore: month) else {
                (year, month, day, hour, minute, second) = (year - 1, 12, 31, 23, 59, 59)
                continue
            }
            if matchingMonth != month {
                (month, day, hour, minute, second) = (matchingMonth, 31, 23, 59, 59)
                continue
            }
            if cachedMonthIndex != year * 12 + month {
                cachedMonthIndex = year * 12 + month
                days = matchingDays(year: year, month: month)
            }
            guard let matchingDay = days.previous(atOrBefore: day) else {
                month -= 1
                if month < 1 { (year, month) = (year - 1, 12) }
                (day, hour, minute, second) = (31, 23, 59, 59)
                continue
            }
            if matchingDay != day { (day, hour, minute, second) = (matchingDay, 23, 59, 59) }
            guard let matchingHour = hours.previous(atOrBefore: hour) else {
                (day, hour, minute, second) = (day - 1, 23, 59, 59)
                continue
            }
            if matchingHour != hour { (hour, minute, second) = (matchingHour, 59, 59) }
            guard let matchingMinute = minutes.previous(atOrBefore: minute) else {
                (hour, minute, second) = (hour - 1, 59, 59)
                continue
            }
            if matchingMinute != minute { (minute, second) = (matchingMinute, 59) }
            guard let matchingSecond = seconds.previous(atOrBefore: second) else {
                (minute, second) = (minute - 1, 59)
                continue
            }
            let wall = CivilTime.wallSeconds(year: year, month: month, day: day,
                                             hour: hour, minute: minute, second: matchingSecond)
            return wall >= limit ? wall : nil
        }
        return nil
    }
}
