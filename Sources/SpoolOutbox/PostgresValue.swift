#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A statement parameter. Sent in text format, except ``bytes(_:)`` which is sent as binary `bytea`;
/// a `nil` parameter (`[PostgresValue?]`) is SQL `NULL`.
///
/// Literals work directly: `try db.query("SELECT $1, $2", ["text", 42])`.
/// When the statement does not fix a parameter's type, cast it in SQL (`$1::jsonb`, `$2::timestamptz`).
public enum PostgresValue: Sendable, Hashable {
    /// Text (`text`, `varchar`, and anything Postgres parses from text such as `uuid`).
    case string(String)
    /// A machine integer (`int2`/`int4`/`int8`).
    case int(Int)
    /// A 64-bit integer (`int8`).
    case int64(Int64)
    /// A double (`float8`); infinities and NaN are sent as `Infinity`, `-Infinity`, `NaN`.
    case double(Double)
    /// A boolean, sent as `true` / `false`.
    case bool(Bool)
    /// A point in time, sent as UTC `timestamptz` text with microseconds.
    case date(Date)
    /// Raw bytes (`bytea`), sent in binary format, so NUL bytes and size cost nothing extra.
    case bytes([UInt8])
    /// JSON text for a `json` / `jsonb` parameter (the server validates it).
    case json(String)

    /// The text form sent to the server (`nil` for ``bytes(_:)``, which is sent in binary).
    var textForm: String? {
        switch self {
        case .string(let value), .json(let value): return value
        case .int(let value): return String(value)
        case .int64(let value): return String(value)
        case .double(let value): return PostgresText.format(value)
        case .bool(let value): return value ? "true" : "false"
        case .date(let value): return PostgresText.format(value)
        case .bytes: return nil
        }
    }
}

extension PostgresValue: ExpressibleByStringLiteral {
    /// A string literal is ``string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension PostgresValue: ExpressibleByIntegerLiteral {
    /// An integer literal is ``int(_:)``.
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension PostgresValue: ExpressibleByFloatLiteral {
    /// A float literal is ``double(_:)``.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension PostgresValue: ExpressibleByBooleanLiteral {
    /// A boolean literal is ``bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
