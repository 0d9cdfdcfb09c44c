import Foundation

/// A report's SQL with its `:name` parameters turned into `$n::type` placeholders.
///
/// Names are found outside string literals, quoted identifiers, dollar-quoted strings and comments; `::`
/// casts are left alone. Values are always bound, never spliced into the text.
public struct ReportQuery: Sendable, Hashable {
    /// The SQL sent to the server.
    public let sql: String
    /// Parameter names in `$n` order.
    public let order: [String]

    /// Compiles `source` for the declared parameters.
    ///
    /// - Throws: ``ReportError/invalidDefinition(file:key:problem:)`` for a `:name` that is not declared, a
    ///   declared parameter never used, or a positional `$n` in the text.
    public init(_ source: String, parameters: [String: ReportParameterType], file: String) throws(ReportError) {
        let chars = Array(source.unicodeScalars)
        var out = String.UnicodeScalarView()
        var order: [String] = []
        var index = 0
        func fail(_ problem: String) -> ReportError { .invalidDefinition(file: file, key: "sql", problem: problem) }
        func isIdentifierStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
        func isIdentifier(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || ("0"..."9").contains(c) }
        func copy(until terminator: [Unicode.Scalar]) {
            // Copies from index through the terminator (or to the end).
            while index < chars.count {
                if chars.count - index >= terminator.count, Array(chars[index..<index + terminator.count]) == terminator {
                    out.append(contentsOf: terminator)
                    index += terminator.count
                    return
                }
                out.append(chars[index])
                index += 1
            }
        }
        while index < chars.count {
            let c = chars[index]
            let next: Unicode.Scalar? = index + 1 < chars.count ? chars[index + 1] : nil
            switch c {
            case "'":
                out.append(c); index += 1; copy(until: ["'"])
            case "\"":
                out.append(c); index += 1; copy(until: ["\""])
            case "-" where next == "-":
                copy(until: ["\n"])
            case "/" where next == "*":
                out.append(contentsOf: ["/", "*"]); index += 2; copy(until: ["*", "/"])
            case "$":
                // $n positional parameters are refused; $tag$ … $tag$ is a dollar-quoted string.
                if let next, ("0"..."9").contains(next) { throw fail("positional parameter $\(next) — use named parameters like :since") }
                var end = index + 1
                while end < chars.count, isIdentifier(chars[end]) { end += 1 }
                if end < chars.count, chars[end] == "$" {
                    let tag = Array(chars[index...end])
                    out.append(contentsOf: tag)
                    index = end + 1
                    copy(until: tag)
                } else {
                    out.append(c); index += 1
                }
            case ":" where next == ":":
                out.append(contentsOf: [":", ":"]); index += 2
            case ":" where next.map(isIdentifierStart) == true:
                var end = index + 1
                while end < chars.count, isIdentifier(chars[end]) { end += 1 }
                let name = String(String.UnicodeScalarView(chars[(index + 1)..<end]))
                guard let type = parameters[name] else {
                    throw fail(":\(name) is used but not declared under parameters — add \(name): text|int|date|timestamp|bool")
                }
                if !order.contains(name) { order.append(name) }
                let position = (order.firstIndex(of: name) ?? 0) + 1
                out.append(contentsOf: "($\(position)::\(type.sqlType))".unicodeScalars)
                index = end
            default:
                out.append(c); index += 1
            }
        }
        if let unused = parameters.keys.sorted().first(where: { !order.contains($0) }) {
            throw fail("parameter \(unused) is declared but :\(unused) never appears in the SQL")
        }
        var text = String(out).trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") { text = String(text.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        sql = text
        self.order = order
    }
}
