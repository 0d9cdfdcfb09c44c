/// Writes Postgres array literals (`{"a","b\"c"}`) for parameters cast to `text[]`, `bigint[]`, … so a
/// whole column of values travels as one parameter.
enum PostgresArrayLiteral {
    /// `{"v1","v2",…}`: every element double-quoted, with `"` and `\` backslash-escaped, so any text
    /// (commas, braces, quotes, newlines, the word NULL) comes back as itself.
    static func text(_ elements: [String]) -> String {
        optionalText(elements)
    }

    /// As ``text(_:)``, with `nil` elements written as an unquoted `NULL`.
    static func optionalText(_ elements: [String?]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(elements.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 })
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let element else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `{1,2,3}` for integers.
    static func integers(_ elements: [Int64]) -> String {
        "{" + elements.map { String($0) }.joined(separator: ",") + "}"
    }

    /// `{t,f}` for booleans.
    static func booleans(_ elements: [Bool]) -> String {
        "{" + elements.map { $0 ? "t" : "f" }.joined(separator: ",") + "}"
    }
}
