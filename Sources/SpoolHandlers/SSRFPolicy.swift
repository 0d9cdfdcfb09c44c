/// Which addresses an outgoing HTTP request may connect to.
///
/// The check runs on the address libcurl is about to connect to — after DNS, for every address tried and
/// every redirect hop — so a hostname that resolves (or re-resolves, as in DNS rebinding) to an internal
/// address is refused before any byte is sent. The default policy allows only public unicast addresses.
public struct SSRFPolicy: Sendable, Hashable {
    /// Allow loopback, private, link-local, shared (CGNAT), unspecified, multicast and reserved addresses.
    /// Cloud metadata addresses stay refused unless `allowedNetworks` or `allowedHosts` names them.
    public var allowPrivate: Bool
    /// Networks that are always allowed, whatever their class (including cloud metadata).
    public var allowedNetworks: [IPNetwork]
    /// Host names (as written in the URL, compared case-insensitively) allowed to connect to any address.
    /// Each redirect hop is checked against its own host.
    public var allowedHosts: [String]

    /// A policy; with no arguments, the default that allows public addresses only.
    public init(allowPrivate: Bool = false, allowedNetworks: [IPNetwork] = [], allowedHosts: [String] = []) {
        self.allowPrivate = allowPrivate
        self.allowedNetworks = allowedNetworks
        self.allowedHosts = allowedHosts.map(Self.normalizeHost)
    }

    /// The default policy: public unicast addresses only.
    public static let publicOnly = SSRFPolicy()

    /// Allows everything except cloud metadata endpoints; for services that call internal endpoints on purpose.
    public static let allowPrivateNetworks = SSRFPolicy(allowPrivate: true)

    /// The default policy plus the given CIDR blocks (`"127.0.0.1/32"`, `"10.1.0.0/16"`) and host names.
    /// Throws if a block does not parse.
    public static func allowing(networks: [String], hosts: [String] = []) throws(SSRFPolicyError) -> SSRFPolicy {
        var parsed: [IPNetwork] = []
        for text in networks {
            guard let network = IPNetwork(text) else { throw .invalidNetwork(text) }
            parsed.append(network)
        }
        return SSRFPolicy(allowedNetworks: parsed, allowedHosts: hosts)
    }

    /// The class of an address, for the policy and for error messages. IPv6 forms that carry an IPv4
    /// address (mapped, compatible, NAT64, 6to4) take the class of the IPv4 address they carry.
    public static func classify(_ address: IPAddress) -> AddressClass {
        if let embedded = address.embeddedIPv4 {
            return classify(embedded)
        }
        for (network, addressClass) in specialRanges where network.contains(address) {
            return addressClass
        }
        return .publicUnicast
    }

    /// Nil when the policy lets `host` connect to `address`; otherwise why not.
    public func check(_ address: IPAddress, host: String?) -> SSRFRefusal? {
        if let host, !allowedHosts.isEmpty, allowedHosts.contains(Self.normalizeHost(host)) {
            return nil
        }
        let candidates = [address] + (address.embeddedIPv4.map { [$0] } ?? [])
        if allowedNetworks.contains(where: { network in candidates.contains { network.contains($0) } }) {
            return nil
        }
        let addressClass = Self.classify(address)
        switch addressClass {
        case .publicUnicast:
            return nil
        case .cloudMetadata:
            return SSRFRefusal(address: address, addressClass: addressClass)
        default:
            return allowPrivate ? nil : SSRFRefusal(address: address, addressClass: addressClass)
        }
    }

    static func normalizeHost(_ host: String) -> String {
        var host = Substring(host.lowercased())
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        }
        while host.hasSuffix(".") {
            host = host.dropLast()
        }
        return String(host)
    }

    /// Most specific first: metadata addresses sit inside link-local, CGNAT and unique-local blocks.
    private static let specialRanges: [(IPNetwork, AddressClass)] = {
        let table: [(String, AddressClass)] = [
            ("169.254.169.254/32", .cloudMetadata),  // AWS, GCP, Azure, OpenStack, …
            ("169.254.170.2/32", .cloudMetadata),  // AWS ECS task metadata
            ("100.100.100.200/32", .cloudMetadata),  // Alibaba Cloud
            ("fd00:ec2::254/128", .cloudMetadata),  // AWS IMDS over IPv6
            ("0.0.0.0/32", .unspecified),
            ("0.0.0.0/8", .reserved),  // "this network"
            ("127.0.0.0/8", .loopback),
            ("10.0.0.0/8", .privateNetwork),
            ("172.16.0.0/12", .privateNetwork),
            ("192.168.0.0/16", .privateNetwork),
            ("100.64.0.0/10", .sharedAddressSpace),
            ("169.254.0.0/16", .linkLocal),
            ("192.0.0.0/24", .reserved),  // IETF protocol assignments
            ("192.0.2.0/24", .reserved),  // documentation
            ("192.88.99.0/24", .reserved),  // 6to4 relay anycast
            ("198.18.0.0/15", .reserved),  // benchmarking
            ("198.51.100.0/24", .reserved),  // documentation
            ("203.0.113.0/24", .reserved),  // documentation
            ("224.0.0.0/4", .multicast),
            ("255.255.255.255/32", .broadcast),
            ("240.0.0.0/4", .reserved),
            ("::/128", .unspecified),
            ("::1/128", .loopback),
            ("fc00::/7", .privateNetwork),  // unique local
            ("fec0::/10", .privateNetwork),  // site-local (deprecated)
            ("fe80::/10", .linkLocal),
            ("ff00::/8", .multicast),
            ("100::/64", .reserved),  // discard
            ("2001::/23", .reserved),  // IETF protocol assignments, Teredo
            ("2001:db8::/32", .reserved),  // documentation
            ("::/96", .reserved),  // IPv4-compatible leftovers not caught above
        ]
        return table.compactMap { text, addressClass in IPNetwork(text).map { ($0, addressClass) } }
    }()
}

/// What kind of address an IP address is, as far as the SSRF guard cares.
public enum AddressClass: String, Sendable, Hashable, CustomStringConvertible {
    /// An ordinary public address: allowed by every policy.
    case publicUnicast = "public"
    /// 127.0.0.0/8, ::1.
    case loopback
    /// 10/8, 172.16/12, 192.168/16, fc00::/7 (unique local), fec0::/10 (old site-local).
    case privateNetwork = "private-network"
    /// 169.254/16, fe80::/10.
    case linkLocal = "link-local"
    /// 100.64/10, carrier-grade NAT.
    case sharedAddressSpace = "shared (CGNAT)"
    /// 0.0.0.0, :: (Linux connects these to the local host).
    case unspecified
    /// 224/4, ff00::/8.
    case multicast
    /// 255.255.255.255.
    case broadcast
    /// Cloud instance metadata services (169.254.169.254, fd00:ec2::254, …): credentials live there.
    case cloudMetadata = "cloud-metadata"
    /// Documentation, benchmarking, "this network", future use and other special-purpose blocks.
    case reserved

    /// `loopback`, `private-network`, …
    public var description: String { rawValue }
}

/// Why the SSRF guard refused an address.
public struct SSRFRefusal: Sendable, Hashable, CustomStringConvertible {
    /// The address libcurl was about to connect to.
    public let address: IPAddress
    /// Its class.
    public let addressClass: AddressClass

    /// `127.0.0.1 is a loopback address`.
    public var description: String { "\(address) is a \(addressClass) address" }
}

/// A policy could not be built.
public enum SSRFPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A CIDR block did not parse.
    case invalidNetwork(String)

    /// A one-line message for people.

    /// A one-line message for people: what went wrong and how to fix it.
    public var description: String {
        switch self {
        case .invalidNetwork(let text):
            return "SSRF allow-list entry \"\(text)\" is not an IP address or CIDR block — write it like 10.1.0.0/16 or fd00::/8"
        }
    }
}
