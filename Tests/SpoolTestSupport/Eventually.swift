import Foundation

/// Polls `condition` every 20 ms until it holds or `limit` passes; returns whether it held (checked once
/// more at the end). For tests that wait on another thread or process.
public func eventually(_ limit: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
    let end = ContinuousClock.now + limit
    while ContinuousClock.now < end {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
