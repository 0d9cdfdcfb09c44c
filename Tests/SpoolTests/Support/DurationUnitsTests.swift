import Foundation
import Spool
import Testing

/// The one rule every configuration file uses for durations.
@Suite("Durations in configuration")
struct DurationUnitsTests {
    @Test("units and bare seconds parse; fractions, unitless text, booleans and negatives do not")
    func configurationValues() {
        let good: [(Any, Duration)] = [
            (30, .seconds(30)), (0, .zero), ("500ms", .milliseconds(500)), ("30s", .seconds(30)), ("15m", .seconds(900)),
            ("2h", .seconds(7200)), ("7d", .seconds(604_800)), (" 5s ", .seconds(5)),
        ]
        for (value, expected) in good {
            #expect(Duration(configurationValue: value) == expected, "\(value)")
        }
        let bad: [Any] = ["30", "1.5s", "-1s", "soon", "", true, false, -1, 2.5, ["5s"], Int.max]
        for value in bad {
            #expect(Duration(configurationValue: value) == nil, "\(value)")
        }
    }

    @Test("whole units: the longer suffix wins, and sizes past Int64 milliseconds are refused")
    func wholeUnits() {
        #expect(Duration(wholeUnits: "5ms") == .milliseconds(5))
        #expect(Duration(wholeUnits: "5m") == .seconds(300))
        #expect(Duration(wholeUnits: "99999999999999999d") == nil)
        #expect(Duration(wholeUnits: "5") == nil)
    }
}
