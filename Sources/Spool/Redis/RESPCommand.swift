/// A command in RESP, the form Redis reads: `*<count>\r\n`, then `$<length>\r\n<bytes>\r\n` per argument.
enum RESPCommand {
    /// The bytes of `arguments` as one command.
    static func encode(_ arguments: [RedisArgument]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: byteCount(arguments)) { buffer, written in
            guard let base = buffer.baseAddress else { return }
            var offset = header(UInt8(ascii: "*"), arguments.count, at: base)
            for argument in arguments {
                let length = argument.byteCount
                offset += header(UInt8(ascii: "$"), length, at: base + offset)
                argument.copyBytes(to: base + offset)
                offset += length
                offset += crlf(at: base + offset)
            }
            written = offset
        }
    }

    /// The encoded size of `arguments`.
    static func byteCount(_ arguments: [RedisArgument]) -> Int {
        var total = 3 + decimalDigits(arguments.count)
        for argument in arguments {
            let length = argument.byteCount
            total += 5 + decimalDigits(length) + length
        }
        return total
    }

    /// Writes `marker`, `number` in decimal and CRLF at `destination`; returns the bytes written.
    private static func header(_ marker: UInt8, _ number: Int, at destination: UnsafeMutablePointer<UInt8>) -> Int {
        destination[0] = marker
        let digits = decimalDigits(number)
        var rest = number
        for position in stride(from: digits, through: 1, by: -1) {
            destination[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return 1 + digits + crlf(at: destination + 1 + digits)
    }

    private static func crlf(at destination: UnsafeMutablePointer<UInt8>) -> Int {
        destination[0] = UInt8(ascii: "\r")
        destination[1] = UInt8(ascii: "\n")
        return 2
    }

    /// Digits of a non-negative number in decimal.
    private static func decimalDigits(_ number: Int) -> Int {
        var digits = 1
        var rest = number
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        return digits
    }
}
