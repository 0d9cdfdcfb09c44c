/// A JSON value from a payload's `data`, the input to email templates.
public enum EmailTemplateValue: Sendable, Hashable, Codable {
    /// JSON null (counts as missing).
    case null
    /// true or false.
    case bool(Bool)
    /// An integral number.
    case int(Int)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// A list (a section repeats over it).
    case array([EmailTemplateValue])
    /// An object (names resolve inside it).
    case object([String: EmailTemplateValue])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([EmailTemplateValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: EmailTemplateValue].self))
        }
    }

    /// Encodes the value as the JSON it came from (for producers building payloads in code).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let items): try container.encode(items)
        case .object(let members): try container.encode(members)
        }
    }

    /// The child named `key` of an object (nil for null values, missing keys and non-objects).
    func child(_ key: String) -> EmailTemplateValue? {
        guard case .object(let members) = self, let value = members[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// Whether a section over this value renders (mustache truthiness).
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let value): return value
        case .array(let items): return !items.isEmpty
        default: return true
        }
    }

    /// The value as the plain Swift types swift-mustache understands (nulls dropped, so they count as missing).
    var mustacheValue: Any {
        switch self {
        case .null: return ""
        case .bool(let value): return value
        case .int(let value): return value
        case .double(let value): return value
        case .string(let value): return value
        case .array(let items): return items.map(\.mustacheValue)
        case .object(let members):
            var result: [String: Any] = [:]
            for (key, value) in members {
                if case .null = value { continue }
                result[key] = value.mustacheValue
            }
            return result
        }
    }
}
