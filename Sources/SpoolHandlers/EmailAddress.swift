/// One mailbox: an optional display name and a plain `local@domain` address (ASCII only; no SMTPUTF8).
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, if any (may be non-ASCII: it is encoded per RFC 2047 in headers).
    public var name: String?
    /// The address, `local@domain`.
    public var address: String

    /// Parses `"Name <user@example.com>"` or `"user@example.com"`; `field` names the payload field in errors.
    public init(parsing text: String, field: String) throws(EmailError) {
        let trimmed = text.trimmingASCIIWhitespace()
        if trimmed.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
            throw .invalidAddress(field: field, value: text, reason: "contains a line break")
        }
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            var display = String(trimmed[..<open]).trimmingASCIIWhitespace()
            if display.count >= 2, display.hasPrefix("\""), display.hasSuffix("\"") {
                display = String(display.dropFirst().dropLast())
            }
            if display.utf8.count > 200 {
                throw .invalidAddress(field: field, value: text, reason: "display name longer than 200 bytes")
            }
            name = display.isEmpty ? nil : display
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        } else {
            name = nil
            address = trimmed
        }
        if let reason = Self.problem(with: address) {
            throw .invalidAddress(field: field, value: text, reason: reason)
        }
    }

    /// The lower-cased address, the key for suppression.
    public var normalized: String { address.lowercased() }

    /// The domain part (after the last "@").
    public var domain: String {
        guard let at = address.lastIndex(of: "@") else { return address }
        return String(address[address.index(after: at)...])
    }

    /// One line for logs and job errors.
    public var description: String { name.map { "\($0) <\(address)>" } ?? address }

    /// The mailbox as it appears in an address header: `"Name" <addr>`, or `=?UTF-8?B?…?= <addr>`.
    var headerText: String {
        guard let name else { return address }
        if !MimeEncoding.isASCII(name) || name.contains("=?") {
            return MimeEncoding.encodedWords(name).joined(separator: " ") + " <\(address)>"
        }
        let atext = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x20
        }
        if atext { return "\(name) <\(address)>" }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\" <\(address)>"
    }

    private static func problem(with address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return "no @" }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        if local.isEmpty { return "empty local part" }
        if domain.isEmpty { return "empty domain" }
        if address.utf8.count > 254 { return "longer than 254 bytes" }
        let forbidden = Set(" \t<>()[],;:\\\"".utf8)
        for byte in address.utf8 where byte < 0x21 || byte > 0x7E || forbidden.contains(byte) {
            return byte > 0x7E ? "non-ASCII characters are not supported (no SMTPUTF8)" : "contains a space or one of <>()[],;:\\\""
        }
        if local.contains("@") { return "more than one @" }
        if domain.hasPrefix(".") || domain.hasSuffix(".") || domain.contains("..") { return "malformed domain" }
        return nil
    }
}
