import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one transfer that libcurl's callbacks write into. It lives on the calling thread for the
/// duration of `curl_easy_perform` and reaches the callbacks through their `void *` user data.
final class TransferContext {
    let maxBodyBytes: Int
    let policy: SSRFPolicy
    let curl: UnsafeMutableRawPointer
    /// Where a 2xx body goes when the caller streams it (`HTTPClient.download`); nil keeps every body in `body`.
    let receiver: TransferReceiver?

    private(set) var body: [UInt8] = []
    private(set) var truncated = false
    private(set) var headers = HTTPHeaders()
    /// The status of the response being received, from its status line; 0 before the first one.
    private(set) var status = 0
    /// Whether the current response's body goes to `receiver` (its `begin` was called).
    private(set) var streaming = false
    /// Body bytes of the current response handed to `receiver`.
    private(set) var streamedBytes: Int64 = 0
    /// Addresses the SSRF guard refused in the current hop, in the order libcurl offered them.
    private(set) var refusals: [SSRFRefusal] = []
    /// Addresses the SSRF guard let libcurl open a socket for in the current hop.
    private(set) var permittedConnects = 0
    /// Set by a status line: the next socket opened belongs to a new hop (a followed redirect).
    private var responseSeen = false

    init(maxBodyBytes: Int, policy: SSRFPolicy, curl: UnsafeMutableRawPointer, receiver: TransferReceiver? = nil) {
        self.maxBodyBytes = maxBodyBytes
        self.policy = policy
        self.curl = curl
        self.receiver = receiver
    }

    /// Hands the body of a 2xx response to `receiver`, when there is one. Otherwise keeps body bytes up to the
    /// cap; past it, keeps what fits, marks the response truncated and returns 0, which makes libcurl stop the
    /// transfer with CURLE_WRITE_ERROR (the client treats that as success). Returning 0 when the receiver
    /// refuses a piece stops the transfer the same way.
    func receiveBody(_ data: UnsafeRawPointer?, count: Int) -> Int {
        guard count > 0, let data else { return count }
        if let receiver, (200...299).contains(status) {
            guard streaming || beginStreaming(receiver) else { return 0 }
            streamedBytes += Int64(count)
            return receiver.write(UnsafeRawBufferPointer(start: data, count: count)) ? count : 0
        }
        let room = maxBodyBytes - body.count
        if count <= room {
            body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
            return count
        }
        if room > 0 {
            body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: room))
        }
        truncated = true
        return 0
    }

    /// Collects one header line. A status line starts a new response (after 1xx or a followed redirect),
    /// so the headers and body gathered so far are dropped.
    func receiveHeaderLine(_ data: UnsafeRawPointer?, count: Int) -> Int {
        guard count > 0, let data else { return count }
        var bytes = Array(UnsafeRawBufferPointer(start: data, count: count))
        while let last = bytes.last, last == 0x0A || last == 0x0D {
            bytes.removeLast()
        }
        if bytes.isEmpty {
            // The end of a header block: a 2xx is final (only 3xx are followed), so its body may start now.
            if let receiver, (200...299).contains(status), !streaming, !beginStreaming(receiver) { return 0 }
            return count
        }
        if bytes.starts(with: Array("HTTP/".utf8)) {
            responseSeen = true
            headers = HTTPHeaders()
            body = []
            truncated = false
            streaming = false
            streamedBytes = 0
            let code = bytes.split(separator: 0x20, maxSplits: 2).dropFirst().first ?? []
            status = Int(String(decoding: code, as: UTF8.self)) ?? 0
            return count
        }
        if streaming {
            return count  // trailer fields after a streamed body: not part of the response head
        }
        if bytes[0] == 0x20 || bytes[0] == 0x09 {
            // obs-fold: a continuation of the previous field's value.
            headers.extendLastValue(with: String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace())
            return count
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return count }
        let name = String(decoding: bytes[..<colon], as: UTF8.self)
        let value = String(decoding: bytes[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()
        headers.add(name: name, value: value)
        return count
    }

    /// libcurl's CURLOPT_XFERINFOFUNCTION (set only when streaming): false asks libcurl to abort the transfer.
    func poll() -> Bool { receiver?.poll() ?? true }

    /// Starts handing the current response's body to `receiver`; false if the receiver refused it.
    private func beginStreaming(_ receiver: TransferReceiver) -> Bool {
        streaming = true
        var ip: UnsafeMutablePointer<CChar>?
        _ = spool_curl_getinfo_string(curl, CURLINFO_PRIMARY_IP, &ip)
        var url: UnsafeMutablePointer<CChar>?
        _ = spool_curl_getinfo_string(curl, CURLINFO_EFFECTIVE_URL, &url)
        return receiver.begin(HTTPResponse(status: status, headers: headers, remoteAddress: ip.map { String(cString: $0) } ?? "",
                                           url: url.map { String(cString: $0) } ?? ""))
    }

    /// libcurl's CURLOPT_OPENSOCKETFUNCTION: checks the destination against the policy and either opens the
    /// socket (close-on-exec) or refuses with CURL_SOCKET_BAD, so no packet reaches a refused address.
    func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        let bad: curl_socket_t = -1
        if responseSeen {
            responseSeen = false
            refusals = []
            permittedConnects = 0
        }
        guard let offset = MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr) else { return bad }
        let raw = UnsafeRawPointer(address) + offset
        guard let ip = IPAddress(socketAddress: raw, length: Int(address.pointee.addrlen)) else {
            return bad  // not IPv4 or IPv6: nothing this client should open
        }
        let host = policy.allowedHosts.isEmpty ? nil : currentHost()
        if let refusal = policy.check(ip, host: host) {
            refusals.append(refusal)
            return bad
        }
        permittedConnects += 1
        return socket(address.pointee.family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
    }

    /// The host of the URL libcurl is working on now; after a redirect, the new one.
    private func currentHost() -> String? {
        var url: UnsafeMutablePointer<CChar>?
        guard spool_curl_getinfo_string(curl, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK, let url else { return nil }
        return RequestTarget.host(of: String(cString: url))
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingASCIIWhitespace() -> String {
        let bytes = Array(utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
