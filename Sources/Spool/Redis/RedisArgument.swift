/// One argument of a Redis command: text, an integer, or raw bytes. Binary-safe: bytes go to the server as they are.
public struct RedisArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    enum Storage: Sendable, Hashable {
        case text(String)
        case bytes([UInt8])
    }

    let storage: Storage

    /// Text, sent as its UTF-8 bytes.
    public init(_ text: String) { storage = .text(text) }
    /// An integer, sent as decimal text.
    public init(_ value: Int) { storage = value == 0 ? .text("0") : .text(String(value)) }
    /// A 64-bit integer, sent as decimal text.
    public init(_ value: Int64) { storage = value == 0 ? .text("0") : .text(String(value)) }
    /// A number, sent in the shortest text that reads back as the same `Double`.
    public init(_ value: Double) { storage = .text(value.description) }
    /// Raw bytes, sent unchanged (may contain NUL and invalid UTF-8).
    public init(bytes: [UInt8]) { storage = .bytes(bytes) }
    /// Raw bytes from any byte sequence.
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 { storage = .bytes(Array(bytes)) }

    public init(stringLiteral value: String) { storage = .text(value) }
    public init(integerLiteral value: Int) { self.init(value) }

    /// The number of bytes sent.
    var byteCount: Int {
        switch storage {
        case .text(let text): return text.utf8.count
        case .bytes(let bytes): return bytes.count
        }
    }

    /// Copies the bytes to `destination`, which has room for `byteCount` bytes.
    func copyBytes(to destination: UnsafeMutableRawPointer) {
        switch storage {
        case .text(let text):
            var text = text
            text.withUTF8 { utf8 in
                if let base = utf8.baseAddress { destination.copyMemory(from: base, byteCount: utf8.count) }
            }
        case .bytes(let bytes):
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { destination.copyMemory(from: base, byteCount: raw.count) }
            }
        }
    }
}
