/// A parameter value as it arrives in a `spool.report` payload (JSON).
public enum ReportParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A JSON string.
    case string(String)
    /// A JSON integer.
    case int(Int64)
    /// A JSON number with a fraction.
    case double(Double)
    /// A JSON boolean.
    case bool(Bool)
    /// JSON null.
    case null

    /// Decodes any JSON scalar.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let flag = try? container.decode(Bool.self) { self = .bool(flag); return }
        if let number = try? container.decode(Int64.self) { self = .int(number); return }
        if let number = try? container.decode(Double.self) { self = .double(number); return }
        self = .string(try container.decode(String.self))
    }

    /// Encodes as the JSON scalar.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .int(let number): try container.encode(number)
        case .double(let number): try container.encode(number)
        case .bool(let flag): try container.encode(flag)
        case .null: try container.encodeNil()
        }
    }

    /// The value as JSON would show it, with its kind: `"x" (a string)`, `5 (an integer)`.
    public var description: String {
        switch self {
        case .string(let text): return "\"\(text)\" (a string)"
        case .int(let number): return "\(number) (an integer)"
        case .double(let number): return "\(number) (a number)"
        case .bool(let flag): return "\(flag) (a boolean)"
        case .null: return "null"
        }
    }
}
