#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the `spool.file` handler fetches URL sources (`"source": "https://…"`), from `handlers.files.download`.
/// Without that section URL sources are refused.
///
/// ```yaml
/// download:
///   allow_private: false          # loopback/private/link-local addresses (default false: public only)
///   allowed_networks: []          # CIDR blocks reachable anyway, e.g. [10.1.0.0/16]
///   allowed_hosts: []             # host names (as in the URL) that may reach any address
///   connect_timeout: 10s          # TCP + TLS
///   timeout: 30m                  # the whole download (the job's own timeout also stops it)
///   max_redirects: 5              # hops followed, each checked by the SSRF policy; 0 = a 3xx fails
///   ca_file: /etc/spool/ca.pem    # PEM CAs to trust instead of the default bundle (the system CA directory stays trusted)
///   allow_http: false             # plain http:// sources and redirects (default false: https only)
/// ```
public struct FileDownloadConfiguration: Sendable, Hashable {
    /// Which addresses a download (and each redirect hop) may connect to.
    public var ssrfPolicy: SSRFPolicy
    /// Longest wait for the TCP and TLS connection.
    public var connectTimeout: Duration
    /// Longest time for the whole download.
    public var timeout: Duration
    /// Redirects followed; 0 makes a 3xx answer a permanent failure.
    public var maxRedirects: Int
    /// A PEM file of CAs to trust instead of libcurl's default bundle file; nil uses the defaults.
    public var caFile: String?
    /// Whether `http://` sources (and redirects to `http://`) are allowed.
    public var allowHTTP: Bool

    /// The keys the `download` section understands.
    public static let keys: Set<String> = [
        "allow_private", "allowed_networks", "allowed_hosts", "connect_timeout", "timeout", "max_redirects", "ca_file", "allow_http",
    ]
    /// `connect_timeout` when not set.
    public static let defaultConnectTimeout: Duration = .seconds(10)
    /// `timeout` when not set.
    public static let defaultTimeout: Duration = .seconds(30 * 60)
    /// `max_redirects` when not set.
    public static let defaultMaxRedirects = 5
    /// Bytes of a non-2xx answer kept for the failure message.
    static let errorBodyBytes = 2048

    /// A configuration built in code; by default public addresses only, https only, 5 redirects, 10 s to
    /// connect, 30 min in all.
    public init(ssrfPolicy: SSRFPolicy = .publicOnly, connectTimeout: Duration = defaultConnectTimeout,
                timeout: Duration = defaultTimeout, maxRedirects: Int = defaultMaxRedirects, caFile: String? = nil,
                allowHTTP: Bool = false) {
        self.ssrfPolicy = ssrfPolicy
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxRedirects = maxRedirects
        self.caFile = caFile
        self.allowHTTP = allowHTTP
    }

    /// Parses the section at `key` (e.g. `handlers.files.download`) of `file`; an empty mapping gives the
    /// defaults. `ca_file` must be an absolute path to a readable file.
    ///
    /// - Throws: ``FileHandlerConfigurationError/invalid(file:key:problem:)`` naming the offending key.
    public init(dictionary: [String: Any], file: String, key: String) throws(FileHandlerConfigurationError) {
        let reader = ConfigReader<FileHandlerConfigurationError>(file: file)
        try reader.rejectUnknown(dictionary, allowed: Self.keys, at: key)
        ssrfPolicy = try reader.policy(allowPrivate: dictionary["allow_private"], networks: dictionary["allowed_networks"],
                                       hosts: dictionary["allowed_hosts"], at: key, privateKey: "allow_private",
                                       networksKey: "allowed_networks", hostsKey: "allowed_hosts")
        connectTimeout = try reader.duration(dictionary["connect_timeout"], at: key + ".connect_timeout") ?? Self.defaultConnectTimeout
        timeout = try reader.duration(dictionary["timeout"], at: key + ".timeout") ?? Self.defaultTimeout
        maxRedirects = try reader.integer(dictionary["max_redirects"], at: key + ".max_redirects", in: 0...20) ?? Self.defaultMaxRedirects
        allowHTTP = try reader.bool(dictionary["allow_http"], at: key + ".allow_http") ?? false
        caFile = try reader.string(dictionary["ca_file"], at: key + ".ca_file")
        if let caFile {
            guard caFile.hasPrefix("/") else {
                throw reader.invalid(key + ".ca_file", "must be an absolute path to a PEM file (got \(caFile))")
            }
            guard access(caFile, R_OK) == 0 else {
                throw reader.invalid(key + ".ca_file", "\(caFile) cannot be read (\(String(cString: strerror(errno)))) — give a readable PEM file of CA certificates")
            }
        }
    }
}
