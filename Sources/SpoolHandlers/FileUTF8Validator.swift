/// Checks, chunk by chunk, that a byte stream is valid UTF-8 (no overlong forms, surrogates or values past
/// U+10FFFF) and holds no NUL byte. Constant memory; sequences may straddle chunk boundaries.
struct FileUTF8Validator: Sendable {
    /// Continuation bytes still expected for the current sequence.
    private var pending = 0
    /// Allowed range for the next continuation byte (narrower right after E0, ED, F0, F4).
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF
    /// False once an invalid byte or a NUL was seen.
    private(set) var isValid = true
    /// The first non-blank byte seen (after an optional BOM), if any.
    private(set) var firstSignificantByte: UInt8?
    private var offset: Int64 = 0

    /// Feeds the next bytes.
    mutating func feed(_ bytes: some Collection<UInt8>) {
        guard isValid else { return }
        for byte in bytes {
            defer { offset += 1 }
            if firstSignificantByte == nil, !(byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D),
               !(offset < 3 && (byte == 0xEF || byte == 0xBB || byte == 0xBF)) {
                firstSignificantByte = byte
            }
            if pending > 0 {
                guard byte >= low && byte <= high else { isValid = false; return }
                pending -= 1
                low = 0x80
                high = 0xBF
                continue
            }
            switch byte {
            case 0x00: isValid = false; return
            case 0x01...0x7F: continue
            case 0xC2...0xDF: pending = 1
            case 0xE0: pending = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: pending = 2
            case 0xED: pending = 2; high = 0x9F
            case 0xF0: pending = 3; low = 0x90
            case 0xF1...0xF3: pending = 3
            case 0xF4: pending = 3; high = 0x8F
            default: isValid = false; return
            }
        }
    }

    /// True when every byte fed so far forms complete valid UTF-8 without NUL.
    var isCompleteAndValid: Bool { isValid && pending == 0 }
}
