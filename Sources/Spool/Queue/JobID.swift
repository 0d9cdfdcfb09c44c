import Foundation

/// Job ids: time-ordered UUIDv7 by default, or any id the producer picks (which makes enqueue idempotent).
public enum JobID {
    /// A new UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits; lowercase text form.
    public static func make(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        // 48 bits of time, version 7, 12 random bits; variant 10, 62 random bits.
        let first = (millis << 16) | 0x7000 | (high & 0x0FFF)
        let second = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func put(_ word: UInt64, nibbles: Range<Int>) {
                for nibble in nibbles.reversed() {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        buffer[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    buffer[position] = digits[Int((word >> UInt64(nibble * 4)) & 0xF)]
                    position += 1
                }
            }
            put(first, nibbles: 0..<16)
            put(second, nibbles: 0..<16)
            return position
        }
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
public enum QueueName {
    /// Throws `SpoolError.invalidJob` saying what is wrong with `name`.
    public static func validate(_ name: String) throws(SpoolError) {
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
