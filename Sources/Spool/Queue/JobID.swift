import Foundation

/// Job ids: time-ordered UUIDv7 by default, or any id the producer picks (which makes enqueue idempotent).
public enum JobID {
    /// A new UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits; lowercase text form.
    public static func make(now: Date = Date()) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in 0..<16 { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { byte -> String in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
        let chars = Array(hex)
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-" + String(chars[12..<16]) + "-"
            + String(chars[16..<20]) + "-" + String(chars[20..<32])
    }

    /// Checks a producer-given id: 1–200 bytes, no whitespace or control characters.
    public static func validate(_ id: String) throws(SpoolError) {
        guard !id.isEmpty else { throw .invalidJob("the job id is empty") }
        guard id.utf8.count <= 200 else { throw .invalidJob("the job id is \(id.utf8.count) bytes; the limit is 200") }
        if id.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            throw .invalidJob("the job id \"\(id)\" contains whitespace or control characters")
        }
    }
}

/// Checks a queue name: 1–100 bytes, no braces (they would break the hash tag), whitespace or colons.
enum QueueName {
    static func validate(_ name: String) throws(SpoolError) {
        guard !name.isEmpty, name.utf8.count <= 100 else {
            throw .invalidJob("queue name \"\(name)\" must be 1–100 bytes")
        }
        if name.contains(where: { $0 == "{" || $0 == "}" || $0 == ":" || $0.isWhitespace || $0.isNewline }) {
            throw .invalidJob("queue name \"\(name)\" may not contain braces, colons or whitespace")
        }
        if name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw .invalidJob("queue name \"\(name)\" may not contain control characters")
        }
    }
}
