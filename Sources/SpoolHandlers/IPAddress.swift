#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as plain bits: parsed from text, or read from a socket address.
///
/// IPv4 addresses keep their 32 bits in the low half of `low`; IPv6 addresses use all 128 bits
/// (`high` holds the first 8 bytes, in network order).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address family.
    public enum Family: Sendable, Hashable {
        case v4
        case v6
    }

    /// IPv4 or IPv6.
    public let family: Family
    let high: UInt64
    let low: UInt64

    /// An IPv4 address from its 32 bits in host order (`0x7F000001` is 127.0.0.1).
    public init(v4 bits: UInt32) {
        family = .v4
        high = 0
        low = UInt64(bits)
    }

    /// An IPv6 address from its 128 bits in host order, split in two halves.
    public init(v6High high: UInt64, low: UInt64) {
        family = .v6
        self.high = high
        self.low = low
    }

    /// Parses dotted-quad IPv4 (`10.0.0.1`) or IPv6 text (`::1`, `[fe80::1]`); nil if it is neither.
    /// Only the canonical forms `inet_pton` accepts: `2130706433` or `0x7f.1` are not addresses here.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") {
            text = text.dropFirst().dropLast()
        }
        let string = String(text)
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            self.init(v4: UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, string, &v6) == 1 {
            self.init(v6Bytes: withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    /// An IPv6 address from its 16 bytes in network order (bytes past the 16th are ignored).
    init(v6Bytes bytes: [UInt8]) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.prefix(16).enumerated() {
            if index < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        self.init(v6High: high, low: low)
    }

    /// Reads the address out of a `sockaddr_in` / `sockaddr_in6`; nil for any other family or a short buffer.
    init?(socketAddress: UnsafeRawPointer, length: Int) {
        guard length >= MemoryLayout<sa_family_t>.size else { return nil }
        let family = socketAddress.loadUnaligned(as: sockaddr.self).sa_family
        switch Int32(family) {
        case AF_INET:
            guard length >= MemoryLayout<sockaddr_in>.size else { return nil }
            let address = socketAddress.loadUnaligned(as: sockaddr_in.self)
            self.init(v4: UInt32(bigEndian: address.sin_addr.s_addr))
        case AF_INET6:
            guard length >= MemoryLayout<sockaddr_in6>.size else { return nil }
            var address = socketAddress.loadUnaligned(as: sockaddr_in6.self).sin6_addr
            self.init(v6Bytes: withUnsafeBytes(of: &address) { Array($0) })
        default:
            return nil
        }
    }

    /// The 32 bits of an IPv4 address (host order); nil for IPv6.
    public var v4Bits: UInt32? {
        family == .v4 ? UInt32(truncatingIfNeeded: low) : nil
    }

    /// The IPv4 address an IPv6 address carries inside it, if it is one of the forms that reach an IPv4 host:
    /// IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated), NAT64 (`64:ff9b::a.b.c.d`)
    /// or 6to4 (`2002:aabb:ccdd::/48`). Nil for IPv4 addresses and other IPv6 addresses.
    public var embeddedIPv4: IPAddress? {
        guard family == .v6 else { return nil }
        let lowV4 = UInt32(truncatingIfNeeded: low)
        if high == 0, low >> 32 == 0xFFFF {
            return IPAddress(v4: lowV4)  // ::ffff:0:0/96
        }
        if high == 0, low >> 32 == 0, lowV4 > 1 {
            return IPAddress(v4: lowV4)  // ::/96 except :: and ::1
        }
        if high == 0x0064_FF9B_0000_0000, low >> 32 == 0 {
            return IPAddress(v4: lowV4)  // 64:ff9b::/96
        }
        if high >> 48 == 0x2002 {
            return IPAddress(v4: UInt32(truncatingIfNeeded: high >> 16))  // 2002::/16
        }
        return nil
    }

    /// Canonical text: `127.0.0.1`, `::1`.
    public var description: String {
        switch family {
        case .v4:
            var address = in_addr(s_addr: UInt32(truncatingIfNeeded: low).bigEndian)
            return Self.format(family: AF_INET, &address, length: Int(INET_ADDRSTRLEN))
        case .v6:
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { raw in
                for index in 0..<8 {
                    raw[index] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index))
                    raw[8 + index] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * index))
                }
            }
            return Self.format(family: AF_INET6, &address, length: Int(INET6_ADDRSTRLEN))
        }
    }

    private static func format<T>(family: Int32, _ address: inout T, length: Int) -> String {
        var buffer = [CChar](repeating: 0, count: length + 1)
        let ok = withUnsafePointer(to: &address) { pointer in
            buffer.withUnsafeMutableBufferPointer { output in
                inet_ntop(family, pointer, output.baseAddress, socklen_t(length)) != nil
            }
        }
        guard ok else { return "?" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A CIDR block such as `10.0.0.0/8` or `fd00::/8`; a bare address means just that address.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block (host bits cleared).
    public let address: IPAddress
    /// Leading bits that must match: 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int

    /// A block from an address and a prefix length; nil if the length does not fit the family.
    public init?(address: IPAddress, prefixLength: Int) {
        let maximum = address.family == .v4 ? 32 : 128
        guard (0...maximum).contains(prefixLength) else { return nil }
        self.prefixLength = prefixLength
        let (high, low) = Self.masked(address, prefixLength)
        self.address = address.family == .v4
            ? IPAddress(v4: UInt32(truncatingIfNeeded: low))
            : IPAddress(v6High: high, low: low)
    }

    /// Parses `a.b.c.d/n`, `x::y/n`, or a bare address; nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.family == .v4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCII), let parsed = Int(parts[1]) else { return nil }
            length = parsed
        }
        self.init(address: address, prefixLength: length)
    }

    /// True when `candidate` is inside the block (same family only; see `IPAddress.embeddedIPv4`).
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.family == address.family else { return false }
        let (high, low) = Self.masked(candidate, prefixLength)
        return high == address.high && low == address.low
    }

    /// `10.0.0.0/8`.
    public var description: String { "\(address)/\(prefixLength)" }

    private static func masked(_ address: IPAddress, _ prefix: Int) -> (UInt64, UInt64) {
        switch address.family {
        case .v4:
            let mask: UInt64 = prefix == 0 ? 0 : (UInt64(UInt32.max) << UInt64(32 - prefix)) & UInt64(UInt32.max)
            return (0, address.low & mask)
        case .v6:
            if prefix <= 64 {
                let mask: UInt64 = prefix == 0 ? 0 : UInt64.max << UInt64(64 - prefix)
                return (address.high & mask, 0)
            }
            let mask: UInt64 = prefix == 128 ? UInt64.max : UInt64.max << UInt64(128 - prefix)
            return (address.high, address.low & mask)
        }
    }
}
