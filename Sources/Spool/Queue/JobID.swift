import Foundation

/// Job ids: time-ordered UUIDv7 by default, or any id the producer picks (which makes enqueue idempotent).
public enum JobID {
    /// A new UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits; lowercase text form.
    public static func make(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return format(millis: unixMillis(now), high: generator.next(), low: generator.next())
    }

    /// `count` new UUIDv7s, their random bits read from the system's secure source 16 ids a call rather than in
    /// two calls per id (each read is a system call: for a batch of 1,000 ids those were the enqueue's largest
    /// cost).
    public static func make(count: Int, now: Date = Date()) -> [String] {
        guard count > 0 else { return [] }
        let millis = unixMillis(now)
        var words = [UInt64](repeating: 0, count: 2 * count)
        words.withUnsafeMutableBytes { fillRandom($0) }
        return (0..<count).map { format(millis: millis, high: words[2 * $0], low: words[2 * $0 + 1]) }
    }

    private static func unixMillis(_ now: Date) -> UInt64 { UInt64(max(0, now.timeIntervalSince1970 * 1000)) }

    /// Fills `buffer` with secure random bytes, 256 a call (getentropy's limit; glibc 2.25+ and macOS); should
    /// the call fail, the rest comes from the standard library's generator.
    private static func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        var filled = 0
        while filled < buffer.count {
            let chunk = min(256, buffer.count - filled)
            guard getentropy(base + filled, chunk) == 0 else { break }
            filled += chunk
        }
        var generator = SystemRandomNumberGenerator()
        while filled < buffer.count {
            buffer[filled] = generator.next()
            filled += 1
        }
    }

    /// The text form: 48 bits of time, version 7, 12 random bits; variant 10, 62 random bits.
    private static func format(millis: UInt64, high: UInt64, low: UInt64) -> String {
        let first = (millis << 16) | 0x7000 | (high & 0x0FFF)
        let second = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func put(_ word: UInt64) {
                for nibble in (0..<16).reversed() {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        buffer[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    let digit = UInt8((word >> UInt64(nibble * 4)) & 0xF)
                    buffer[position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                    position += 1
                }
            }
            put(first)
            put(second)
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
