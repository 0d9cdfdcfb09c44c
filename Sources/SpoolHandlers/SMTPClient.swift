import CCurl
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the server said when it accepted a message.
public struct SMTPReceipt: Sendable, Hashable {
    /// The final reply code (250).
    public var code: Int
    /// The final reply text (often a queue id).
    public var message: String
    /// The envelope recipients the message went to.
    public var recipients: [String]
}

/// Sends messages over SMTP with libcurl: `MAIL FROM`, one `RCPT TO` per recipient, then the message
/// uploaded by a read callback (libcurl dot-stuffs it). Security, authentication and timeouts come from the
/// `SMTPConfiguration`.
///
/// `send` blocks the calling thread for the whole exchange: call it from a Spool worker thread
/// (`JobContext.blocking`), never from Swift's cooperative pool. Each call holds its own libcurl handle, so
/// any number of threads may send at once; after a successful send the handle and its open connection are
/// kept for the next message (see `SMTPConnectionPool`).
public struct SMTPClient: Sendable {
    /// The server settings.
    public let configuration: SMTPConfiguration
    private let logger: Logger
    private let connections: SMTPConnectionPool

    /// A client for the server in `configuration`; no connection is made until `send`. Up to
    /// `keptConnections` connections stay open between messages.
    public init(configuration: SMTPConfiguration, keptConnections: Int = 8, logger: Logger = Logger(label: "spool.smtp")) {
        self.configuration = configuration
        self.logger = logger
        connections = SMTPConnectionPool(capacity: keptConnections)
    }

    /// How many connections are open and idle, waiting for the next message.
    public var idleConnections: Int { connections.idleCount }

    /// Delivers `message` (RFC 5322 bytes with CRLF line endings) from `sender` to `recipients` (bare
    /// addresses). The first 4xx/5xx reply ends the exchange and is thrown as `SMTPError.rejected` with the
    /// stage it answered, so a refused `RCPT TO` names its address. `timeout`, when given, shortens the
    /// configured total timeout (e.g. to the job's remaining time).
    public func send(_ message: [UInt8], from sender: String, to recipients: [String],
                     timeout: Duration? = nil) throws(SMTPError) -> SMTPReceipt {
        do {
            try CurlGlobal.ensureInitialized()
        } catch {
            throw .initializationFailed(reason: "\(error)")
        }
        var username: String?
        var password: String?
        if let name = configuration.username {
            username = try SecretReference(name).map { (reference) throws(SMTPError) in try SMTPError.resolving(reference) } ?? name
        }
        if let reference = configuration.password { password = try SMTPError.resolving(reference) }

        guard let handle = connections.take() else { throw .initializationFailed(reason: "curl_easy_init returned NULL (out of memory?)") }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        // Declared after the buffer's, so it runs first: the handle lets go of the buffer before it is freed.
        var succeeded = false
        defer { if succeeded { connections.giveBack(handle) } else { connections.discard(handle) } }
        var recipientList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(recipientList) }
        for recipient in recipients {
            guard let appended = curl_slist_append(recipientList, "<\(recipient)>") else {
                throw .initializationFailed(reason: "curl_slist_append failed (out of memory?)")
            }
            recipientList = appended
        }

        let transfer = SMTPTransfer(message: message)
        let userData = Unmanaged.passUnretained(transfer).toOpaque()
        var failedOption: String?
        func check(_ code: CURLcode, _ name: String) {
            if code != CURLE_OK, failedOption == nil { failedOption = name }
        }
        let h = handle
        check(spool_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)), "ERRORBUFFER")
        check(spool_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        check(spool_curl_setopt_string(h, CURLOPT_URL, configuration.url), "URL")
        check(spool_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps"), "PROTOCOLS_STR")
        check(spool_curl_setopt_string(h, CURLOPT_PROXY, ""), "PROXY")
        check(spool_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout)), "CONNECTTIMEOUT_MS")
        check(spool_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Self.milliseconds(min(configuration.timeout, max(timeout ?? configuration.timeout, .milliseconds(100))))), "TIMEOUT_MS")
        let useSSL: curl_usessl
        switch configuration.security {
        case .starttlsRequired, .implicitTLS: useSSL = CURLUSESSL_ALL
        case .starttlsOpportunistic: useSSL = CURLUSESSL_TRY
        case .none: useSSL = CURLUSESSL_NONE
        }
        check(spool_curl_setopt_long(h, CURLOPT_USE_SSL, Int(useSSL.rawValue)), "USE_SSL")
        if let caFile = configuration.caFile { check(spool_curl_setopt_string(h, CURLOPT_CAINFO, caFile), "CAINFO") }
        if let username { check(spool_curl_setopt_string(h, CURLOPT_USERNAME, username), "USERNAME") }
        if let password { check(spool_curl_setopt_string(h, CURLOPT_PASSWORD, password), "PASSWORD") }
        check(spool_curl_setopt_string(h, CURLOPT_MAIL_FROM, "<\(sender)>"), "MAIL_FROM")
        check(spool_curl_setopt_slist(h, CURLOPT_MAIL_RCPT, recipientList), "MAIL_RCPT")
        check(spool_curl_setopt_long(h, CURLOPT_UPLOAD, 1), "UPLOAD")
        check(spool_curl_setopt_off(h, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count)), "INFILESIZE_LARGE")
        check(spool_curl_setopt_read_function(h) { buffer, size, count, userData in
            guard let buffer, let userData else { return 0 }
            let transfer = Unmanaged<SMTPTransfer>.fromOpaque(userData).takeUnretainedValue()
            return transfer.read(into: buffer, capacity: size * count)
        }, "READFUNCTION")
        check(spool_curl_setopt_pointer(h, CURLOPT_READDATA, userData), "READDATA")
        check(spool_curl_setopt_debug_function(h) { _, type, data, size, userData in
            guard let data, let userData else { return 0 }
            let transfer = Unmanaged<SMTPTransfer>.fromOpaque(userData).takeUnretainedValue()
            transfer.debug(type, data: UnsafeRawPointer(data), count: size)
            return 0
        }, "DEBUGFUNCTION")
        check(spool_curl_setopt_pointer(h, CURLOPT_DEBUGDATA, userData), "DEBUGDATA")
        check(spool_curl_setopt_long(h, CURLOPT_VERBOSE, 1), "VERBOSE")
        if let failedOption {
            throw .transfer(server: configuration.server, code: -1, reason: "libcurl rejected option \(failedOption) — is libcurl at least 7.85?")
        }

        let code = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        var responseCode = 0
        _ = spool_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        if code == CURLE_OK {
            succeeded = true
            let final = transfer.lastReply
            logger.debug("smtp message accepted", metadata: [
                "server": "\(configuration.server)", "recipients": "\(recipients.count)", "code": "\(responseCode)",
            ])
            return SMTPReceipt(code: final?.code ?? responseCode, message: final?.message ?? "", recipients: recipients)
        }
        let text = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        if let failure = transfer.firstFailure {
            throw .rejected(server: configuration.server, stage: failure.stage, code: failure.code, message: failure.message)
        }
        if responseCode >= 400 {
            throw .rejected(server: configuration.server, stage: .other, code: responseCode, message: text)
        }
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST:
            throw .connectFailed(server: configuration.server, reason: text)
        case CURLE_OPERATION_TIMEDOUT:
            throw .timedOut(server: configuration.server, reason: text)
        case CURLE_USE_SSL_FAILED, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER:
            throw .tls(server: configuration.server, reason: text)
        default:
            throw .transfer(server: configuration.server, code: Int(code.rawValue), reason: text)
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
