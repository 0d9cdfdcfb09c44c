/// Encodes records as RFC 4180 CSV: fields separated by commas, records ended by CRLF; a field is quoted
/// when it holds a comma, quote, CR or LF, or leading/trailing space, or is empty text (quotes inside are
/// doubled). `nil` (SQL NULL) is an empty unquoted field, so NULL and "" stay distinguishable.
enum CSVWriter {
    /// Appends one record to `out`.
    static func appendRecord(_ fields: [String?], to out: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let field else { continue }
            let bytes = field.utf8
            let needsQuotes = bytes.isEmpty || bytes.first == 0x20 || bytes.last == 0x20
                || bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A })
            if needsQuotes {
                out.append(UInt8(ascii: "\""))
                for byte in bytes {
                    if byte == UInt8(ascii: "\"") { out.append(byte) }
                    out.append(byte)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: bytes)
            }
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }
}
