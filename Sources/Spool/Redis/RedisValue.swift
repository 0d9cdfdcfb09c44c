/// One reply from Redis, copied out of hiredis into a Swift value (RESP2 types).
public enum RedisValue: Sendable, Hashable {
    /// A nil bulk string or nil array.
    case null
    /// An integer reply.
    case integer(Int64)
    /// A bulk string: binary-safe bytes.
    case bulk([UInt8])
    /// A status reply such as `OK` or `PONG`.
    case status(String)
    /// An error reply such as `ERR unknown command`; the text as the server sent it.
    case error(String)
    /// An array reply (elements may be of any type, including nested arrays).
    indirect case array([RedisValue])

    /// The bulk or status text decoded as UTF-8 (invalid sequences repaired), an integer as decimal text, else nil.
    public var string: String? {
        switch self {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        case .integer(let value): return String(value)
        default: return nil
        }
    }

    /// The integer, or a bulk/status that holds a decimal integer; else nil.
    public var int: Int? {
        switch self {
        case .integer(let value): return Int(value)
        case .bulk, .status: return string.flatMap { Int($0) }
        default: return nil
        }
    }

    /// A bulk that holds a number (Redis sends scores as text); or an integer.
    public var double: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .bulk, .status: return string.flatMap { Double($0) }
        default: return nil
        }
    }

    /// The raw bytes of a bulk string, else nil.
    public var bytes: [UInt8]? {
        if case .bulk(let bytes) = self { return bytes }
        return nil
    }

    /// The elements of an array reply; nil for anything else (`.null` gives nil too).
    public var array: [RedisValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The error text when this is an error reply.
    public var errorMessage: String? {
        if case .error(let text) = self { return text }
        return nil
    }
}
