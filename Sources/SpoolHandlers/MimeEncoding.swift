import Foundation

/// The byte-level encodings an email message needs: CRLF normalisation, quoted-printable and base64 bodies
/// (RFC 2045), RFC 2047 encoded-words for non-ASCII header text, and header folding (RFC 5322). Everything
/// works on UTF-8 bytes, because Swift treats "\r\n" as one `Character`.
enum MimeEncoding {
    static let crlf: [UInt8] = [0x0D, 0x0A]

    /// `text` as UTF-8 with every line ending (CRLF, lone LF, lone CR) turned into CRLF.
    static func normalizedLines(_ text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A {
                lines.append(current)
                current = []
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else {
                current.append(byte)
            }
            index += 1
        }
        lines.append(current)
        return lines
    }

    /// Whether `text` is pure US-ASCII.
    static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    /// Quoted-printable (RFC 2045 §6.7) of `text` with CRLF line breaks; encoded lines are at most 76 bytes.
    static func quotedPrintable(_ text: String) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        let lines = normalizedLines(text)
        for (number, line) in lines.enumerated() {
            var column = 0
            for (index, byte) in line.enumerated() {
                let isLast = index == line.count - 1
                var encoded: [UInt8]
                let printable = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                // A space or tab is literal unless it ends the line (where transport may strip it).
                let literalSpace = (byte == 0x20 || byte == 0x09) && !isLast
                // A leading "." is encoded too, so the body never depends on SMTP dot-stuffing.
                if (printable && !(byte == UInt8(ascii: ".") && column == 0)) || literalSpace {
                    encoded = [byte]
                } else {
                    encoded = [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
                // Room for a soft break "=" if more follows on this line.
                let limit = isLast ? 76 : 75
                if column + encoded.count > limit {
                    output.append(UInt8(ascii: "="))
                    output.append(contentsOf: crlf)
                    column = 0
                    if encoded == [UInt8(ascii: ".")] { encoded = Array("=2E".utf8) }
                }
                output.append(contentsOf: encoded)
                column += encoded.count
            }
            if number < lines.count - 1 { output.append(contentsOf: crlf) }
        }
        return output
    }

    /// Base64 of `bytes` in lines of 76 characters, each ending in CRLF.
    static func base64Lines(_ bytes: [UInt8]) -> [UInt8] {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var output: [UInt8] = []
        output.reserveCapacity(encoded.count + encoded.count / 76 * 2 + 2)
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            output.append(contentsOf: encoded[start..<end])
            output.append(contentsOf: crlf)
            start = end
        }
        return output
    }

    /// RFC 2047 "B" encoded-words for `text`, each at most 75 characters and never splitting a UTF-8
    /// sequence; `firstRoom` limits the first word's length (the header name takes part of its line).
    static func encodedWords(_ text: String, firstRoom: Int = 75) -> [String] {
        let prefix = "=?UTF-8?B?"
        let suffix = "?="
        var words: [String] = []
        var chunk: [UInt8] = []
        func encodedLength(_ count: Int) -> Int { prefix.count + suffix.count + (count + 2) / 3 * 4 }
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append(prefix + Data(chunk).base64EncodedString() + suffix)
            chunk = []
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            let room = words.isEmpty ? max(firstRoom, encodedLength(4)) : 75
            if encodedLength(chunk.count + bytes.count) > room { flush() }
            chunk.append(contentsOf: bytes)
        }
        flush()
        return words
    }

    /// An unstructured header value (Subject): plain ASCII folded at spaces when it fits, else encoded-words.
    /// Returns the value only (without the name), with folds as CRLF + space.
    static func unstructuredValue(_ text: String, headerName: String) -> String {
        // Line breaks become spaces on the UTF-8 level (Swift sees "\r\n" as one Character).
        let clean = String(decoding: text.utf8.map { $0 == 0x0D || $0 == 0x0A ? 0x20 : $0 }, as: UTF8.self)
        let words = clean.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let asciiPrintable = clean.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }
        // "=?" in plain text would be read as an encoded-word: encode such text too.
        if asciiPrintable && !clean.contains("=?") && words.allSatisfy({ $0.utf8.count <= 900 }) {
            return fold(words: words, firstColumn: headerName.utf8.count + 2, separator: " ")
        }
        let encoded = encodedWords(clean, firstRoom: 76 - headerName.utf8.count - 2)
        return encoded.joined(separator: "\r\n ")
    }

    /// Joins `words` with `separator`, starting a new folded line (CRLF + space) before a word that would
    /// take the line past 78 characters.
    static func fold(words: [String], firstColumn: Int, separator: String) -> String {
        var result = ""
        var column = firstColumn
        for (index, word) in words.enumerated() {
            if index == 0 {
                result += word
                column += word.utf8.count
                continue
            }
            let piece = separator + word
            if column + piece.utf8.count > 78, column > 1 {
                // The fold replaces a space; with a non-space separator, keep it and fold after it.
                if separator == " " {
                    result += "\r\n " + word
                    column = 1 + word.utf8.count
                } else {
                    result += separator.trimmingCharacters(in: .whitespaces) + "\r\n " + word
                    column = 1 + word.utf8.count
                }
            } else {
                result += piece
                column += piece.utf8.count
            }
        }
        return result
    }

    /// A MIME parameter (`name="value"`), or RFC 2231 `name*=utf-8''…` for non-ASCII or awkward values.
    static func parameter(_ name: String, _ value: String) -> String {
        let safe = value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if safe && value.utf8.count < 60 { return "\(name)=\"\(value)\"" }
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in value.utf8 {
            if unreserved.contains(byte) {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return "\(name)*=utf-8''" + String(decoding: encoded, as: UTF8.self)
    }
}
