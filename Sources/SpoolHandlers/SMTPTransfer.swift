import CCurl
import Foundation

/// The state of one SMTP exchange that libcurl's callbacks use: the message bytes the read callback
/// uploads, and the transcript of commands and replies the debug callback sees (so a rejection can be tied
/// to the `RCPT TO` that drew it). Lives for one `curl_easy_perform` on the calling thread.
final class SMTPTransfer {
    /// One reply and the command it answered (nil for the greeting).
    struct Reply {
        var command: String?
        var code: Int
        var message: String
    }

    private let message: [UInt8]
    private var offset = 0
    private var lastCommand: String?
    private var pendingLine: [UInt8] = []
    private(set) var replies: [Reply] = []

    init(message: [UInt8]) {
        self.message = message
    }

    /// CURLOPT_READFUNCTION: copies the next piece of the message into libcurl's buffer; 0 ends it.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, message.count - offset)
        guard count > 0 else { return 0 }
        message.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            UnsafeMutableRawPointer(buffer).copyMemory(from: base + offset, byteCount: count)
        }
        offset += count
        return count
    }

    /// CURLOPT_DEBUGFUNCTION: records commands sent (CURLINFO_HEADER_OUT) and reply lines received
    /// (CURLINFO_HEADER_IN). Authentication exchanges are recorded by verb only, never their arguments.
    func debug(_ type: curl_infotype, data: UnsafeRawPointer, count: Int) {
        let bytes = UnsafeRawBufferPointer(start: data, count: count)
        if type == CURLINFO_HEADER_OUT {
            let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
            let verb = line.prefix(while: { $0 != " " && $0 != ":" }).uppercased()
            if ["MAIL", "RCPT", "DATA", "EHLO", "HELO", "STARTTLS", "AUTH", "QUIT", "RSET"].contains(verb) {
                lastCommand = verb == "AUTH" ? "AUTH" : line
            } else if lastCommand?.hasPrefix("AUTH") == true {
                lastCommand = "AUTH"  // a SASL continuation: keep the credentials out of the transcript
            } else {
                lastCommand = line
            }
        } else if type == CURLINFO_HEADER_IN {
            pendingLine.append(contentsOf: bytes)
            while let newline = pendingLine.firstIndex(of: 0x0A) {
                let line = String(decoding: pendingLine[..<newline], as: UTF8.self).trimmingCharacters(in: .newlines)
                pendingLine.removeSubrange(...newline)
                record(line)
            }
        }
    }

    /// A reply line: a final one (`250 ok`, or a bare code) closes the reply to the last command.
    private func record(_ line: String) {
        let digits = line.prefix(3)
        guard digits.count == 3, let code = Int(digits) else { return }
        let rest = line.dropFirst(3)
        if rest.first == "-" { return }
        replies.append(Reply(command: lastCommand, code: code, message: rest.trimmingCharacters(in: .whitespaces)))
    }

    /// The first reply with a 4xx or 5xx code, with the stage it answered.
    var firstFailure: (stage: SMTPError.Stage, code: Int, message: String)? {
        guard let reply = replies.first(where: { $0.code >= 400 }) else { return nil }
        return (Self.stage(of: reply.command), reply.code, reply.message)
    }

    /// The last reply (the answer to the end of DATA after a successful send).
    var lastReply: Reply? { replies.last }

    static func stage(of command: String?) -> SMTPError.Stage {
        guard let command else { return .greeting }
        let upper = command.uppercased()
        if upper.hasPrefix("RCPT") {
            if let open = command.firstIndex(of: "<"), let close = command.lastIndex(of: ">"), open < close {
                return .recipient(String(command[command.index(after: open)..<close]))
            }
            return .recipient(command)
        }
        if upper.hasPrefix("MAIL") { return .mailFrom }
        if upper.hasPrefix("DATA") { return .data }
        if upper.hasPrefix("EHLO") || upper.hasPrefix("HELO") { return .hello }
        if upper.hasPrefix("STARTTLS") { return .startTLS }
        if upper.hasPrefix("AUTH") { return .authentication }
        return .other
    }
}
