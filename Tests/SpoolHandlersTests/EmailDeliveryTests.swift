import Foundation
import Spool
import SpoolHandlers
import Testing

/// The email handler end to end: a real Worker on real Redis sends through a real SMTP server (aiosmtpd),
/// and Python's email package checks what arrived.
@Suite("Email delivery", .serialized)
struct EmailDeliveryTests {
    func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test("a full message arrives with the right headers, parts, encodings and attachment bytes; Bcc only in the envelope")
    func fullMessage() throws {
        try withEmailHarness { harness in
            var binary = (0..<4096).map { UInt8($0 % 256) }
            binary += Array("\r\n.\r\n.\n\0".utf8)
            _ = FileManager.default.createFile(atPath: harness.scratch + "/attachments/report.bin", contents: Data(binary))
            try FileManager.default.createDirectory(atPath: harness.scratch + "/attachments/docs", withIntermediateDirectories: true)
            let textFile = Array("Zeile eins\nZeile zwei ü\n".utf8)
            _ = FileManager.default.createFile(atPath: harness.scratch + "/attachments/docs/notes.txt", contents: Data(textFile))

            let subject = "Grüße aus Köln — 東京 🎉 " + String(repeating: "ünïcödé wörds ", count: 8) + "end"
            let longLine = String(repeating: "0123456789", count: 200)
            let text = "Hello Zoë,\n\(longLine)\n.leading dot\ntrailing space \nlast line"
            let html = "<p>Héllo <b>Zoë</b></p>\n<p>\(longLine)</p>"
            let id = try harness.enqueue(json([
                "from": "Zoë Shop <shop@example.com>",
                "to": ["Ada Lovelace <ada@example.org>", "bob@example.org"],
                "cc": ["\"Carol, C.\" <carol@example.org>"],
                "bcc": ["hidden@example.org"],
                "reply_to": "help@example.com",
                "subject": subject, "text": text, "html": html,
                "attachments": [["path": "report.bin"],
                                ["path": "docs/notes.txt", "filename": "Résumé notes.txt", "content_type": "text/plain"]],
                "list_unsubscribe": "<mailto:unsub@example.com?subject=unsubscribe>, <https://example.com/unsubscribe/123>",
                "list_unsubscribe_post": true,
            ]))
            let job = try harness.finished(id)
            #expect(job.state == .done, "\(String(describing: job.lastError))")
            #expect(job.result?.contains("sent <") == true)

            let messages = try harness.server.messages()
            try #require(messages.count == 1)
            let message = messages[0]
            #expect(message.status == 250)
            #expect(message.defects.isEmpty, "\(message.defects)")
            #expect(message.mail_from == "shop@example.com")
            #expect(Set(message.rcpt_tos) == ["ada@example.org", "bob@example.org", "carol@example.org", "hidden@example.org"])
            // Bcc: in the envelope only.
            #expect(!message.header_names.contains { $0.lowercased() == "bcc" })
            #expect(!String(decoding: message.rawBytes, as: UTF8.self).contains("hidden"))
            // Wire format: CRLF only, short lines, 7-bit.
            #expect(message.bare_lf == 0)
            #expect(message.max_line <= 78, "longest line \(message.max_line)")
            #expect(message.raw_ascii)

            #expect(message.header("Subject") == subject)
            #expect(message.raw_headers.first { $0.hasPrefix("Subject:") }?.contains("=?UTF-8?B?") == true)
            #expect(message.header("From") == "Zoë Shop <shop@example.com>")
            #expect(message.header("To") == "Ada Lovelace <ada@example.org>, bob@example.org")
            #expect(message.header("Cc") == "\"Carol, C.\" <carol@example.org>")
            #expect(message.header("Reply-To") == "help@example.com")
            #expect(message.header("Message-ID") == "<\(EmailMessage.messageID(jobID: id, domain: "example.com"))>")
            #expect(message.header("MIME-Version") == "1.0")
            #expect(message.date_valid)
            #expect(message.header("List-Unsubscribe") == "<mailto:unsub@example.com?subject=unsubscribe>, <https://example.com/unsubscribe/123>")
            #expect(message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")

            #expect(message.parts.map(\.content_type) ==
                    ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/octet-stream", "text/plain"])
            let leaves = message.leafParts
            try #require(leaves.count == 4)
            #expect(leaves[0].charset == "utf-8" && leaves[0].cte == "quoted-printable")
            #expect(leaves[0].text?.replacingOccurrences(of: "\r\n", with: "\n") == text)
            #expect(leaves[1].charset == "utf-8" && leaves[1].cte == "quoted-printable")
            #expect(leaves[1].text?.replacingOccurrences(of: "\r\n", with: "\n") == html)
            #expect(leaves[2].filename == "report.bin" && leaves[2].disposition == "attachment" && leaves[2].cte == "base64")
            #expect(leaves[2].decodedBytes == binary)
            #expect(leaves[3].filename == "Résumé notes.txt" && leaves[3].cte == "base64")
            #expect(leaves[3].decodedBytes == textFile)
        }
    }

    @Test("text only: a single text/plain part; opportunistic STARTTLS falls back to plain; SMTP AUTH with a password read from a file: reference")
    func textOnlyWithAuth() throws {
        try withEmailHarness(auth: "mailer:s3cret pass", tune: { configuration, scratch in
            _ = FileManager.default.createFile(atPath: scratch + "/smtp-password", contents: Data("s3cret pass\n".utf8))
            configuration.username = "mailer"
            configuration.security = .starttlsOpportunistic
            configuration.password = .file(scratch + "/smtp-password")
        }) { harness in
            let id = try harness.enqueue(json(["to": ["ada@example.org"], "subject": "Plain ASCII subject", "text": "Just text."]))
            let job = try harness.finished(id)
            #expect(job.state == .done, "\(String(describing: job.lastError))")
            let message = try #require(try harness.server.messages().first)
            #expect(message.auth_user == "mailer")
            #expect(message.mail_from == "noreply@example.com")
            #expect(message.header("From") == "Spool <noreply@example.com>")
            #expect(message.header("Subject") == "Plain ASCII subject")
            #expect(message.parts.map(\.content_type) == ["text/plain"])
            #expect(message.defects.isEmpty)
        }
    }

    @Test("a 451 at end of DATA retries, and the retry carries the same Message-ID")
    func messageIDStableAcrossRetry() throws {
        try withEmailHarness { harness in
            let id = try harness.enqueue(json(["to": ["tempdata-once@example.org"], "subject": "Retry me", "text": "body"]))
            let job = try harness.finished(id)
            #expect(job.state == .done, "\(String(describing: job.lastError))")
            #expect(job.attempts == 2)
            #expect(job.errors.first?.error.contains("451") == true)
            let messages = try harness.server.messages()
            #expect(messages.map(\.status) == [451, 250])
            let ids = Set(messages.compactMap { $0.header("Message-ID") })
            #expect(ids == ["<\(EmailMessage.messageID(jobID: id, domain: "example.com"))>"])
        }
    }

    @Test("a template renders subject, text and html from data; a missing variable or template is a permanent failure")
    func templates() throws {
        try withEmailHarness { harness in
            let data: [String: Any] = ["name": "Ada & Co", "plan": ["name": "Pro"], "items": [["title": "one"], ["title": "two"]]]
            let ok = try harness.enqueue(json(["to": ["ada@example.org"], "template": "welcome", "data": data]))
            let missing = try harness.enqueue(json(["to": ["ada@example.org"], "template": "welcome",
                                                    "data": ["name": "Ada", "items": [["title": "one"], ["nope": 1]]]]))
            let unknown = try harness.enqueue(json(["to": ["ada@example.org"], "template": "nope", "data": [:]]))
            let done = try harness.finished(ok)
            #expect(done.state == .done, "\(String(describing: done.lastError))")
            let failed = try harness.finished(missing)
            #expect(failed.state == .dead && failed.deadReason == "failed" && failed.attempts == 1)
            let reason = failed.lastError ?? ""
            #expect(reason.contains("email template \"welcome\" uses variables missing from data:") && reason.contains("plan.name")
                    && reason.contains("title"), "\(reason)")
            let notFound = try harness.finished(unknown)
            #expect(notFound.state == .dead && notFound.lastError?.contains("email template \"nope\" not found") == true)

            let messages = try harness.server.messages()
            try #require(messages.count == 1)
            let message = messages[0]
            #expect(message.header("Subject") == "Welcome, Ada & Co!")
            let leaves = message.leafParts
            #expect(leaves.map(\.content_type) == ["text/plain", "text/html"])
            #expect(leaves.first?.text?.replacingOccurrences(of: "\r\n", with: "\n") ==
                    "Hello Ada & Co,\n\nYour plan: Pro & more.\n- one\n- two\nNot VIP.\n")
            #expect(leaves.last?.text?.contains("<p>Hello Ada &amp; Co</p><ul><li>one</li><li>two</li></ul>") == true)
        }
    }

    @Test("5xx dead-letters and a 550 recipient is suppressed; 4xx retries; suppressed recipients are dropped; the list can be cleared")
    func rejections() throws {
        try withEmailHarness(maxAttempts: 2) { harness in
            // 550 for the only recipient: dead at once, address suppressed.
            let only = try harness.enqueue(json(["to": ["reject550@example.org"], "subject": "x", "text": "x"]))
            let dead = try harness.finished(only)
            #expect(dead.state == .dead && dead.deadReason == "failed" && dead.attempts == 1)
            #expect(dead.lastError?.contains("every recipient is on the email suppression list") == true, "\(String(describing: dead.lastError))")
            #expect(dead.lastError?.contains("550 5.1.1 No such user here") == true)
            let entries = try harness.suppression.list()
            #expect(entries.map(\.address) == ["reject550@example.org"])
            #expect(entries.first?.reason.hasPrefix("550 5.1.1 No such user here") == true)

            // A 550 among good recipients: the bad one is suppressed, the rest get the message in the same attempt.
            let mixed = try harness.enqueue(json(["to": ["ok1@example.org", "reject550-b@example.org"], "cc": ["ok2@example.org"],
                                                  "subject": "mixed", "text": "x"]))
            let mixedJob = try harness.finished(mixed)
            #expect(mixedJob.state == .done && mixedJob.attempts == 1, "\(String(describing: mixedJob.lastError))")
            #expect(mixedJob.result?.contains("suppressed: reject550-b@example.org") == true)
            #expect(try harness.suppression.contains("REJECT550-B@example.org"))

            // Already suppressed (any case): dropped before sending.
            let again = try harness.enqueue(json(["to": ["Reject550@Example.org", "ok3@example.org"], "subject": "again", "text": "x"]))
            #expect(try harness.finished(again).state == .done)

            // 451 at RCPT: retried until attempts run out; never suppressed.
            let temp = try harness.enqueue(json(["to": ["tempfail@example.org"], "subject": "t", "text": "x"]))
            let tempJob = try harness.finished(temp)
            #expect(tempJob.state == .dead && tempJob.deadReason == "exhausted" && tempJob.attempts == 2)
            #expect(tempJob.errors.allSatisfy { $0.error.contains("RCPT TO <tempfail@example.org> with 451") }, "\(tempJob.errors)")

            // 554 at end of DATA: permanent, not an address problem.
            let refused = try harness.enqueue(json(["to": ["rejectdata@example.org"], "subject": "r", "text": "x"]))
            let refusedJob = try harness.finished(refused)
            #expect(refusedJob.state == .dead && refusedJob.deadReason == "failed" && refusedJob.attempts == 1)
            #expect(refusedJob.lastError?.contains("answered DATA with 554") == true, "\(String(describing: refusedJob.lastError))")
            #expect(try !harness.suppression.contains("rejectdata@example.org"))

            let delivered = try harness.server.messages().filter { $0.status == 250 }
            #expect(delivered.map { Set($0.rcpt_tos) } == [["ok1@example.org", "ok2@example.org"], ["ok3@example.org"]])
            #expect(delivered.first?.header("To") == "ok1@example.org")

            // Admin: remove one, then clear.
            #expect(try harness.suppression.remove("reject550@example.org"))
            #expect(try !harness.suppression.remove("reject550@example.org"))
            #expect(try harness.suppression.list().map(\.address) == ["reject550-b@example.org"])
            try harness.suppression.removeAll()
            #expect(try harness.suppression.list().isEmpty)
        }
    }

    @Test("an attachment path that escapes the root is a permanent failure and nothing is sent")
    func attachmentEscape() throws {
        try withEmailHarness { harness in
            _ = FileManager.default.createFile(atPath: harness.scratch + "/secret.txt", contents: Data("secret".utf8))
            try FileManager.default.createSymbolicLink(atPath: harness.scratch + "/attachments/link.txt",
                                                       withDestinationPath: harness.scratch + "/secret.txt")
            var ids: [String] = []
            for path in ["../secret.txt", harness.scratch + "/secret.txt", "link.txt"] {
                ids.append(try harness.enqueue(json(["to": ["ada@example.org"], "subject": "s", "text": "x",
                                                     "attachments": [["path": path]]])))
            }
            for id in ids {
                let job = try harness.finished(id)
                #expect(job.state == .dead && job.deadReason == "failed" && job.attempts == 1)
                #expect(job.lastError?.contains("is outside the attachments root") == true, "\(String(describing: job.lastError))")
            }
            #expect(try harness.server.messages().isEmpty)
        }
    }

    @Test("a server that is not listening retries with a connect error; STARTTLS required against a plain server fails clearly")
    func transportFailures() throws {
        try withEmailHarness(maxAttempts: 1, tune: { configuration, _ in configuration.security = .starttlsRequired }) { harness in
            let id = try harness.enqueue(json(["to": ["ada@example.org"], "subject": "s", "text": "x"]))
            let job = try harness.finished(id)
            #expect(job.state == .dead && job.deadReason == "exhausted")
            #expect(job.lastError?.contains("TLS with SMTP server 127.0.0.1:\(harness.server.port) failed") == true,
                    "\(String(describing: job.lastError))")
        }
        let closed = try EmailSMTPServer()
        let port = closed.port
        closed.stop()
        let client = SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, connectTimeout: .seconds(2)))
        #expect(throws: SMTPError.self) { try client.send(Array("Subject: x\r\n\r\nx\r\n".utf8), from: "a@example.com", to: ["b@example.com"]) }
        do {
            _ = try client.send(Array("Subject: x\r\n\r\nx\r\n".utf8), from: "a@example.com", to: ["b@example.com"])
        } catch {
            #expect(error.isTemporary)
            #expect(error.description.contains("cannot connect to SMTP server 127.0.0.1:\(port)"), "\(error)")
        }
    }

    @Test("messages in a row share one connection; a refused message closes its connection and the next opens a new one")
    func connectionReuse() throws {
        let server = try EmailSMTPServer()
        defer { server.stop() }
        let client = SMTPClient(configuration: server.configuration(), keptConnections: 2)
        func message(_ n: Int) -> [UInt8] { Array("Subject: m\(n)\r\nMessage-ID: <m\(n)@example.com>\r\n\r\nbody \(n)\r\n".utf8) }
        for n in 0..<5 {
            _ = try client.send(message(n), from: "a@example.com", to: ["b@example.com"])
        }
        #expect(client.idleConnections == 1)
        #expect(throws: SMTPError.self) { try client.send(message(5), from: "a@example.com", to: ["rejectdata@example.com"]) }
        #expect(client.idleConnections == 0, "a failed send must not keep its connection")
        _ = try client.send(message(6), from: "a@example.com", to: ["b@example.com"])
        _ = try client.send(message(7), from: "a@example.com", to: ["b@example.com"])

        let messages = try server.messages()
        try #require(messages.count == 8)
        let ports = messages.map { $0.peer_port ?? -1 }
        #expect(Set(ports[0..<6]).count == 1, "the first six exchanges (five sent, one refused at DATA) share one connection: \(ports)")
        #expect(ports[6] != ports[0] && ports[7] == ports[6], "after the refusal a new connection is opened and kept: \(ports)")
        #expect(messages[7].header("Subject") == "m7" && messages[0].header("Subject") == "m0")
    }

    @Test("TLS: STARTTLS (required, with AUTH) and SMTPS deliver over TLS with ca_file trusting the server; an untrusted certificate sends nothing")
    func tls() throws {
        let certificate = try TestCertificate.shared()
        let message = Array("Subject: tls\r\nMessage-ID: <tls@example.com>\r\n\r\nover TLS\r\n".utf8)

        let starttls = try EmailSMTPServer(auth: "mailer:pa55", tls: certificate)
        defer { starttls.stop() }
        var password: String { starttls.directory + "/password" }
        _ = FileManager.default.createFile(atPath: password, contents: Data("pa55\n".utf8))
        let required = SMTPClient(configuration: starttls.configuration {
            $0.security = .starttlsRequired
            $0.caFile = certificate.certificatePath
            $0.username = "mailer"
            $0.password = .file(password)
        })
        _ = try required.send(message, from: "a@example.com", to: ["b@example.com"])
        let opportunistic = SMTPClient(configuration: starttls.configuration {
            $0.security = .starttlsOpportunistic
            $0.caFile = certificate.certificatePath
            $0.username = "mailer"
            $0.password = .file(password)
        })
        _ = try opportunistic.send(message, from: "a@example.com", to: ["c@example.com"])
        // Without the CA the certificate is not trusted: a TLS error (retried), and nothing is sent.
        let untrusted = SMTPClient(configuration: starttls.configuration { $0.security = .starttlsRequired })
        do {
            _ = try untrusted.send(message, from: "a@example.com", to: ["d@example.com"])
            Issue.record("an untrusted certificate was accepted")
        } catch {
            #expect(error.description.contains("TLS with SMTP server 127.0.0.1:\(starttls.port) failed"), "\(error)")
            #expect(error.isTemporary)
        }
        let received = try starttls.messages()
        #expect(received.map(\.rcpt_tos) == [["b@example.com"], ["c@example.com"]])
        #expect(received.allSatisfy { $0.tls && $0.auth_user == "mailer" }, "\(received.map { ($0.tls, $0.auth_user) })")

        let smtps = try EmailSMTPServer(tls: certificate, implicitTLS: true)
        defer { smtps.stop() }
        let implicit = SMTPClient(configuration: smtps.configuration {
            $0.security = .implicitTLS
            $0.caFile = certificate.certificatePath
        })
        _ = try implicit.send(message, from: "a@example.com", to: ["e@example.com"])
        let overSMTPS = try smtps.messages()
        #expect(overSMTPS.count == 1 && overSMTPS.first?.tls == true)

        // ca_file is checked when the configuration is read.
        #expect(throws: SMTPConfigurationError.self) {
            try SMTPConfiguration(dictionary: ["url": "smtps://127.0.0.1:1", "ca_file": "/nonexistent/ca.pem"], file: "/etc/spool/spool.yaml", key: "handlers.email")
        }
        #expect(throws: SMTPConfigurationError.self) {
            try SMTPConfiguration(dictionary: ["url": "smtp://127.0.0.1:1", "starttls": "none", "ca_file": certificate.certificatePath],
                                  file: "/etc/spool/spool.yaml", key: "handlers.email")
        }
        let parsed = try SMTPConfiguration(dictionary: ["url": "smtps://127.0.0.1:1", "ca_file": certificate.certificatePath],
                                           file: "/etc/spool/spool.yaml", key: "handlers.email")
        #expect(parsed.caFile == certificate.certificatePath)
    }
}
