import Foundation
import SpoolOutbox

/// The type of a report's named parameter, as written in its definition.
public enum ReportParameterType: String, Sendable, Hashable, CaseIterable {
    /// Any JSON string; bound as `text`.
    case text
    /// A JSON integer; bound as `bigint`.
    case int
    /// A `YYYY-MM-DD` string; bound as `date`.
    case date
    /// An ISO 8601 string with a time zone (`2026-01-31T12:00:00Z`); bound as `timestamptz`.
    case timestamp
    /// A JSON `true` / `false`; bound as `boolean`.
    case bool

    /// The SQL type the placeholder is cast to.
    var sqlType: String {
        switch self {
        case .text: return "text"
        case .int: return "bigint"
        case .date: return "date"
        case .timestamp: return "timestamptz"
        case .bool: return "boolean"
        }
    }

    /// Checks `value` and turns it into a bound parameter.
    func bind(_ value: ReportParameterValue, name: String, report: String) throws(ReportError) -> PostgresValue {
        func wrong(_ expected: String) -> ReportError {
            .invalidParameter(report: report, name: name, problem: "expected \(expected), got \(value)")
        }
        switch (self, value) {
        case (.text, .string(let text)):
            guard !text.utf8.contains(0) else { throw .invalidParameter(report: report, name: name, problem: "text holds a NUL byte") }
            return .string(text)
        case (.int, .int(let number)): return .int64(number)
        case (.bool, .bool(let flag)): return .bool(flag)
        case (.date, .string(let text)):
            guard Self.isDate(text) else { throw wrong("a date as YYYY-MM-DD") }
            return .string(text)
        case (.timestamp, .string(let text)):
            guard let date = Self.timestamp(text) else { throw wrong("an ISO 8601 timestamp with a zone, like 2026-01-31T12:00:00Z") }
            return .date(date)
        case (.text, _): throw wrong("a string")
        case (.int, _): throw wrong("an integer")
        case (.bool, _): throw wrong("true or false")
        case (.date, _): throw wrong("a date string as YYYY-MM-DD")
        case (.timestamp, _): throw wrong("an ISO 8601 timestamp string")
        }
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              year >= 1, (1...12).contains(month) else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    static func timestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
