import Foundation

/// Writing results: JSON documents, aligned tables and one-line errors.
enum Output {
    /// Prints `object` as one pretty, key-sorted JSON document on stdout.
    static func printJSON(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// Prints one line on stdout.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints one line on stderr.
    static func printError(_ text: String) {
        let message = text.hasSuffix("\n") ? text : text + "\n"
        FileHandle.standardError.write(Data(message.utf8))
    }

    /// Prints `rows` under `headers` with columns padded to the widest cell.
    static func table(_ headers: [String], _ rows: [[String]]) {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func render(_ cells: [String]) -> String {
            var parts: [String] = []
            for (index, cell) in cells.enumerated() {
                let isLast = index == cells.count - 1
                parts.append(isLast ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0))
            }
            return parts.joined(separator: "  ")
        }
        line(render(headers))
        for row in rows { line(render(row)) }
    }

    /// `value`, or JSON null when it is nil.
    static func orNull(_ value: Any?) -> Any { value ?? NSNull() }
}
