import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension EmailMessage {
    /// The message as it goes over SMTP: headers, then a MIME body (text/plain or text/html alone,
    /// multipart/alternative for both, inside multipart/mixed with attachments). Bodies are quoted-printable
    /// UTF-8, attachments base64; every line ends in CRLF and is at most 998 bytes.
    public func encoded() throws(EmailError) -> [UInt8] {
        try validate()
        var out: [UInt8] = []
        func header(_ name: String, _ value: String) {
            out += Array("\(name): \(value)".utf8)
            out += MimeEncoding.crlf
        }
        func addresses(_ list: [EmailAddress], name: String) -> String {
            MimeEncoding.fold(words: list.map(\.headerText), firstColumn: name.utf8.count + 2, separator: ", ")
        }
        header("Date", Self.rfc5322Date(date))
        header("From", from.headerText)
        if !to.isEmpty { header("To", addresses(to, name: "To")) }
        if !cc.isEmpty { header("Cc", addresses(cc, name: "Cc")) }
        if let replyTo { header("Reply-To", replyTo.headerText) }
        header("Subject", MimeEncoding.unstructuredValue(subject, headerName: "Subject"))
        header("Message-ID", "<\(messageID)>")
        if let listUnsubscribe {
            let items = listUnsubscribe.split(separator: ",").map { String($0).trimmingASCIIWhitespace() }
            header("List-Unsubscribe", MimeEncoding.fold(words: items, firstColumn: 18, separator: ", "))
            if listUnsubscribePost { header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click") }
        }
        header("MIME-Version", "1.0")

        let seed = Self.boundarySeed(messageID)
        var bodyParts: [[UInt8]] = []
        if let text { bodyParts.append(Self.textPart(text, subtype: "plain")) }
        if let html { bodyParts.append(Self.textPart(html, subtype: "html")) }
        var body: [UInt8]
        if bodyParts.count == 2 {
            body = Self.multipart("alternative", boundary: "=_alt_\(seed)", parts: bodyParts)
        } else {
            body = bodyParts[0]
        }
        if !attachments.isEmpty {
            var parts = [body]
            for attachment in attachments {
                var part: [UInt8] = []
                let name = MimeEncoding.parameter("name", attachment.filename)
                let filename = MimeEncoding.parameter("filename", attachment.filename)
                part += Array("Content-Type: \(attachment.contentType);\r\n \(name)\r\n".utf8)
                part += Array("Content-Disposition: attachment;\r\n \(filename)\r\n".utf8)
                part += Array("Content-Transfer-Encoding: base64\r\n\r\n".utf8)
                part += MimeEncoding.base64Lines(attachment.bytes)
                parts.append(part)
            }
            body = Self.multipart("mixed", boundary: "=_mixed_\(seed)", parts: parts)
        }
        out += body
        if out.suffix(2) != [0x0D, 0x0A] { out += MimeEncoding.crlf }
        return out
    }

    /// One text part with its headers: UTF-8, quoted-printable.
    private static func textPart(_ text: String, subtype: String) -> [UInt8] {
        var part = Array("Content-Type: text/\(subtype); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
        part += MimeEncoding.quotedPrintable(text)
        part += MimeEncoding.crlf
        return part
    }

    /// A multipart entity: its Content-Type header, a blank line, and the parts between boundaries.
    /// Boundaries start with "=_", which neither quoted-printable nor base64 output can contain.
    private static func multipart(_ subtype: String, boundary: String, parts: [[UInt8]]) -> [UInt8] {
        var out = Array("Content-Type: multipart/\(subtype);\r\n boundary=\"\(boundary)\"\r\n\r\n".utf8)
        for part in parts {
            out += Array("--\(boundary)\r\n".utf8)
            out += part
            if part.suffix(2) != [0x0D, 0x0A] { out += MimeEncoding.crlf }
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }

    /// A short hex string from the Message-ID, so the same message encodes to the same bytes.
    private static func boundarySeed(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// `date` as an RFC 5322 date-time in UTC, e.g. `Mon, 23 Nov 2026 18:45:21 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = days[Int(parts.tm_wday) % 7]
        let month = months[Int(parts.tm_mon) % 12]
        return "\(day), \(parts.tm_mday) \(month) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
