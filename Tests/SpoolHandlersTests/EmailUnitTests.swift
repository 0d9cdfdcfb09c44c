import Foundation
import SpoolHandlers
import Testing

@Suite("Email composition and configuration")
struct EmailUnitTests {
    // MARK: Configuration

    @Test("a full handlers.email section parses; relative paths follow the file's directory")
    func configurationParses() throws {
        let configuration = try SMTPConfiguration(dictionary: [
            "url": "smtp://mail.example.com:2525", "starttls": "opportunistic", "username": "env:SMTP_USER",
            "password": "credential:smtp-password", "connect_timeout": "500ms", "timeout": 30, "from": "Shop <shop@example.com>",
            "attachments_root": "/srv/attachments", "attachments_max_bytes": 1000, "templates": "templates/email",
        ], file: "/etc/spool/jobs/spool.yaml", key: "handlers.email")
        #expect(configuration.host == "mail.example.com" && configuration.port == 2525)
        #expect(configuration.security == .starttlsOpportunistic)
        #expect(configuration.url == "smtp://mail.example.com:2525")
        #expect(configuration.password == .credential("smtp-password"))
        #expect(configuration.connectTimeout == .milliseconds(500) && configuration.timeout == .seconds(30))
        #expect(configuration.defaultFrom?.address == "shop@example.com")
        #expect(configuration.attachmentsRoot == "/srv/attachments" && configuration.attachmentsMaxBytes == 1000)
        #expect(configuration.templatesDirectory == "/etc/spool/jobs/templates/email")

        let tls = try SMTPConfiguration(dictionary: ["url": "smtps://mail.example.com"], file: "f.yaml", key: "handlers.email")
        #expect(tls.security == .implicitTLS && tls.port == 465 && tls.url == "smtps://mail.example.com:465")
        let plain = try SMTPConfiguration(dictionary: ["url": "smtp://[::1]:25", "starttls": "none"], file: "f.yaml", key: "handlers.email")
        #expect(plain.host == "::1" && plain.security == .none && plain.url == "smtp://[::1]:25")
        let defaults = try SMTPConfiguration(dictionary: ["url": "smtp://mail.example.com"], file: "f.yaml", key: "handlers.email")
        #expect(defaults.security == .starttlsRequired && defaults.port == 587)
    }

    @Test("configuration errors name the file, the key and the fix; literal passwords are refused")
    func configurationErrors() {
        func problem(_ dictionary: [String: Any]) -> String {
            do {
                _ = try SMTPConfiguration(dictionary: dictionary, file: "jobs/spool.yaml", key: "handlers.email")
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(problem([:]) == "jobs/spool.yaml: handlers.email.url: missing; set it to smtp://host:port or smtps://host:port")
        #expect(problem(["url": "http://x"]).hasPrefix("jobs/spool.yaml: handlers.email.url: must start with smtp:// or smtps://"))
        #expect(problem(["url": "smtp://u:p@x"]).contains("handlers.email.url: must not contain credentials"))
        #expect(problem(["url": "smtp://x:99999"]).contains("handlers.email.url: port must be 1–65535"))
        #expect(problem(["url": "smtp://x", "username": "u", "password": "hunter2"]) ==
                "jobs/spool.yaml: handlers.email.password: must be a reference (env:NAME, file:/path or credential:NAME), never the password itself")
        #expect(problem(["url": "smtp://x", "password": "env:P"]).contains("handlers.email.username: missing"))
        #expect(problem(["url": "smtps://x", "starttls": "required"]).contains("handlers.email.starttls: only applies to smtp://"))
        #expect(problem(["url": "smtp://x", "starttls": "maybe"]).contains("must be required, opportunistic or none"))
        #expect(problem(["url": "smtp://x", "timeout": "soon"]).contains("handlers.email.timeout: must be a duration like 500ms"))
        #expect(problem(["url": "smtp://x", "form": "a@b.c"]).hasPrefix("jobs/spool.yaml: handlers.email.form: unknown key"))
        #expect(problem(["url": "smtp://x", "from": "not an address"]).contains("handlers.email.from: email from address"))
    }

    @Test("secret references read the environment, files and systemd credentials")
    func secretReferences() throws {
        let directory = NSTemporaryDirectory() + "spool-cred-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = FileManager.default.createFile(atPath: directory + "/smtp-password", contents: Data("from-credential\n".utf8))
        let environment = ["SMTP_PASSWORD": "from-env", "CREDENTIALS_DIRECTORY": directory]
        #expect(try SecretReference("env:SMTP_PASSWORD")?.resolve(environment: environment) == "from-env")
        #expect(try SecretReference("file:\(directory)/smtp-password")?.resolve(environment: environment) == "from-credential")
        #expect(try SecretReference("credential:smtp-password")?.resolve(environment: environment) == "from-credential")
        #expect(SecretReference("hunter2") == nil)
        #expect(SecretReference("credential:../etc/passwd") == nil)
        #expect(throws: SecretReference.Unavailable(reference: "env:NOPE", reason: "environment variable NOPE is not set — export it in the daemon's environment")) {
            try SecretReference.environment("NOPE").resolve(environment: environment)
        }
        _ = FileManager.default.createFile(atPath: directory + "/empty", contents: Data("\n".utf8))
        #expect(throws: SecretReference.Unavailable(reference: "file:\(directory)/empty", reason: "\(directory)/empty is empty")) {
            try SecretReference.file(directory + "/empty").resolve(environment: environment)
        }
        #expect(SecretReference(" env:SMTP_PASSWORD ") == .environment("SMTP_PASSWORD"))
        #expect(SecretReference("env:A=B") == nil && SecretReference("env:") == nil && SecretReference("vault:x") == nil)
    }

    // MARK: Addresses and messages

    @Test("addresses parse with and without names; line breaks and junk are refused")
    func addresses() throws {
        let named = try EmailAddress(parsing: " \"Ada L.\" <Ada@Example.org> ", field: "to")
        #expect(named.name == "Ada L." && named.address == "Ada@Example.org" && named.normalized == "ada@example.org")
        #expect(try EmailAddress(parsing: "bob@example.org", field: "to").name == nil)
        for bad in ["bob", "@example.org", "bob@", "a b@example.org", "x@example.org\r\nBcc: evil@example.org",
                    "Name <x@example.org>\nX: y", "jörg@example.org", "a@b..c"] {
            #expect(throws: EmailError.self, "\(bad)") { try EmailAddress(parsing: bad, field: "to") }
        }
    }

    @Test("Message-ID is derived from the job id and the sender's domain, and always valid")
    func messageID() {
        #expect(EmailMessage.messageID(jobID: "0193a1b2-c3d4", domain: "example.com") == "0193a1b2-c3d4.spool@example.com")
        #expect(EmailMessage.messageID(jobID: "cron:daily report:17", domain: "example.com") == "cron_daily_report_17.spool@example.com")
        #expect(EmailMessage.messageID(jobID: "a..b.", domain: "x.org") == "a.b.spool@x.org")
    }

    @Test("encoded messages use CRLF, lines of at most 78 bytes, encoded-words for non-ASCII subjects, and no Bcc header")
    func encoding() throws {
        let from = try EmailAddress(parsing: "Shop <shop@example.com>", field: "from")
        let message = EmailMessage(
            from: from, to: [try EmailAddress(parsing: "Zoë <zoe@example.org>", field: "to")],
            bcc: [try EmailAddress(parsing: "secret@example.org", field: "bcc")],
            subject: String(repeating: "Grüße ", count: 30), messageID: "m.spool@example.com",
            text: String(repeating: "é", count: 3000) + "\n.\nend", html: nil)
        let bytes = try message.encoded()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains("secret@example.org") && !text.lowercased().contains("bcc:"))
        #expect(message.envelopeRecipients == ["zoe@example.org", "secret@example.org"])
        var lineLength = 0
        var previous: UInt8 = 0
        for byte in bytes {
            #expect(byte < 0x80)
            if byte == 0x0A {
                #expect(previous == 0x0D)
                lineLength = 0
            } else if byte != 0x0D {
                lineLength += 1
                #expect(lineLength <= 78)
            }
            previous = byte
        }
        #expect(text.contains("Subject: =?UTF-8?B?"))
        #expect(text.contains("\r\n=2E\r\n"))  // a lone "." line is encoded, never dot-stuffing-dependent
        #expect(text.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"))
        #expect(throws: EmailError.invalidHeader(name: "List-Unsubscribe-Post", reason: "needs a List-Unsubscribe header (list_unsubscribe)")) {
            var broken = message
            broken.listUnsubscribePost = true
            _ = try broken.encoded()
        }
        // No header injection through the subject or List-Unsubscribe.
        var injected = message
        injected.subject = "Hi\r\nBcc: evil@example.org\nX-Evil: 1"
        let injectedText = String(decoding: try injected.encoded(), as: UTF8.self)
        #expect(!injectedText.contains("\r\nBcc:") && !injectedText.contains("\r\nX-Evil:"))
        #expect(injectedText.contains("Subject: Hi  Bcc: evil@example.org X-Evil: 1\r\n"))
        injected.listUnsubscribe = "<https://example.com/u>\r\nX-Evil: 1"
        #expect(throws: EmailError.self) { _ = try injected.encoded() }
        #expect(throws: EmailError.noBody) {
            var empty = message
            empty.text = nil
            _ = try empty.encoded()
        }
    }

    // MARK: Attachments

    @Test("attachments are confined to the root: absolute paths, .. and symlink escapes are refused; size is limited")
    func attachmentConfinement() throws {
        let base = NSTemporaryDirectory() + "spool-attach-\(UUID().uuidString)"
        let root = base + "/root"
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = FileManager.default.createFile(atPath: base + "/outside.txt", contents: Data("secret".utf8))
        _ = FileManager.default.createFile(atPath: root + "/sub/a.pdf", contents: Data(repeating: 7, count: 600))
        try FileManager.default.createSymbolicLink(atPath: root + "/escape", withDestinationPath: base + "/outside.txt")
        try FileManager.default.createSymbolicLink(atPath: root + "/dir-escape", withDestinationPath: base)
        try FileManager.default.createSymbolicLink(atPath: root + "/inside", withDestinationPath: root + "/sub/a.pdf")
        let loader = EmailAttachmentLoader(root: root, maxTotalBytes: 1000)

        for path in ["../outside.txt", "sub/../../outside.txt", base + "/outside.txt", "escape", "dir-escape/outside.txt", ""] {
            #expect(throws: EmailError.attachmentOutsideRoot(path: path), "\(path)") { _ = try loader.load([.init(path: path)]) }
        }
        #expect(throws: EmailError.attachmentNotFound(path: "missing.txt")) { _ = try loader.load([.init(path: "missing.txt")]) }
        #expect(throws: EmailError.attachmentNotFound(path: "sub")) { _ = try loader.load([.init(path: "sub")]) }
        let loaded = try EmailAttachmentLoader(root: root, maxTotalBytes: 1200).load([.init(path: "sub/a.pdf"), .init(path: "inside", filename: "b.bin", contentType: "application/x-test")])
        #expect(loaded.map(\.filename) == ["a.pdf", "b.bin"])
        #expect(loaded.map(\.contentType) == ["application/pdf", "application/x-test"])
        #expect(loaded[0].bytes == [UInt8](repeating: 7, count: 600))
        #expect(throws: EmailError.attachmentsTooLarge(total: 1200, limit: 1000)) {
            _ = try loader.load([.init(path: "sub/a.pdf"), .init(path: "inside")])
        }
        #expect(throws: EmailError.self) { _ = try loader.load([.init(path: "sub/a.pdf", contentType: "text/plain\r\nX: y")]) }
    }

    // MARK: Templates

    @Test("templates render strictly: missing variables are named, sections over missing values are false")
    func templates() throws {
        let directory = NSTemporaryDirectory() + "spool-tpl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func write(_ name: String, _ text: String) {
            _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(text.utf8))
        }
        write("t.subject.mustache", "Order {{order.id}}\n for {{name}}")
        write("t.text.mustache", "{{#lines}}{{sku}} x{{qty}} ({{name}})\n{{/lines}}{{#coupon}}Coupon {{code}}{{/coupon}}{{^coupon}}none{{/coupon}} {{{raw}}} {{&raw}}")
        write("bad.text.mustache", "{{#open}} never closed")
        write("partial.html.mustache", "{{> header}}")
        let templates = EmailTemplates(directory: directory)
        let data = try JSONDecoder().decode(EmailTemplateValue.self, from: Data(#"""
            {"order": {"id": 42}, "name": "Ada <&>", "raw": "<b>", "lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}], "coupon": null}
            """#.utf8))
        let rendered = try templates.render("t", data: data)
        #expect(rendered.subject == "Order 42 for Ada <&>")
        #expect(rendered.text == "A x1 (Ada <&>)\nB x2 (Ada <&>)\nnone <b> <b>")
        #expect(rendered.html == nil)

        let partial = try JSONDecoder().decode(EmailTemplateValue.self, from: Data(#"{"lines": [{"sku": "A"}], "coupon": {"x": 1}}"#.utf8))
        #expect(throws: EmailError.missingTemplateVariables(template: "t", names: ["order.id", "name", "qty", "code", "raw"])) {
            _ = try templates.render("t", data: partial)
        }
        #expect(throws: EmailError.templateNotFound(name: "nope", directory: directory)) { _ = try templates.render("nope", data: nil) }
        #expect(throws: EmailError.templateNotFound(name: "../t", directory: directory)) { _ = try templates.render("../t", data: nil) }
        #expect(throws: EmailError.self) { _ = try templates.render("bad", data: nil) }
        #expect(throws: EmailError.self) { _ = try templates.render("partial", data: nil) }
    }
}
