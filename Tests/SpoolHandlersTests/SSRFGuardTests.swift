import Foundation
import SpoolHandlers
import Testing

@Suite("SSRF guard on real connections")
struct SSRFGuardTests {
    @Test func defaultPolicyRefusesLoopbackInEveryDisguise() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            let port = server.port
            let cases: [(url: String, address: String)] = [
                ("http://127.0.0.1:\(port)/status/200", "127.0.0.1"),
                ("http://2130706433:\(port)/status/200", "127.0.0.1"),  // decimal-encoded 127.0.0.1
                ("http://0x7f.1:\(port)/status/200", "127.0.0.1"),  // hex/short form
                ("http://[::ffff:127.0.0.1]:\(port)/status/200", "::ffff:127.0.0.1"),
                ("http://[::1]:\(port)/status/200", "::1"),
                ("http://0.0.0.0:\(port)/status/200", "0.0.0.0"),
            ]
            for (url, address) in cases {
                let request = HTTPRequest(url: url, connectTimeout: .seconds(2), timeout: .seconds(5))
                let error = #expect(throws: HTTPClientError.self, "\(url)") { try client.send(request) }
                guard case .ssrfRefused(_, let refused, let reason)? = error else {
                    Issue.record("\(url): expected ssrfRefused, got \(String(describing: error))")
                    continue
                }
                #expect(refused == address, "\(url)")
                #expect(error?.description.contains("(SSRF guard)") == true)
                #expect(reason.contains("loopback") || reason.contains("unspecified"), "\(url): \(reason)")
                #expect(WebhookOutcome.classify(error ?? .connectionRefused(host: "")) == .permanent(disableEndpoint: false, reason: error?.description ?? ""))
            }
            #expect(try server.requests().isEmpty, "the server must not receive any request")
        }
    }

    @Test func defaultPolicyRefusesLocalhost() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            let request = HTTPRequest(url: "http://localhost:\(server.port)/status/200", connectTimeout: .seconds(2), timeout: .seconds(5))
            let error = #expect(throws: HTTPClientError.self) { try client.send(request) }
            guard case .ssrfRefused(let host, let address, _)? = error else {
                Issue.record("expected ssrfRefused, got \(String(describing: error))")
                return
            }
            #expect(host == "localhost:\(server.port)")
            #expect(address == "127.0.0.1" || address == "::1")
            #expect(error?.description.hasPrefix("refused to connect to localhost:\(server.port) at ") == true)
            #expect(try server.requests().isEmpty)
        }
    }

    @Test func explicitAllowListLetsTheRequestThrough() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            let byNetwork = try SSRFPolicy.allowing(networks: ["127.0.0.0/8"])
            #expect(try client.send(HTTPRequest(url: server.url("/status/200"), ssrfPolicy: byNetwork)).status == 200)
            let byHost = SSRFPolicy(allowedHosts: ["LOCALHOST"])
            #expect(try client.send(HTTPRequest(url: "http://localhost:\(server.port)/status/201", ssrfPolicy: byHost)).status == 201)
            let permissive = SSRFPolicy.allowPrivateNetworks
            #expect(try client.send(HTTPRequest(url: server.url("/status/202"), ssrfPolicy: permissive)).status == 202)
            #expect(try server.requests().count == 3)
        }
    }

    @Test func aStricterPolicyDoesNotReuseAConnectionOpenedUnderALooserOne() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            #expect(try client.send(server.request("/status/200")).status == 200)
            let strict = HTTPRequest(url: server.url("/status/200"))
            #expect(throws: HTTPClientError.self) { try client.send(strict) }
            #expect(try server.requests().count == 1)
        }
    }

    @Test func everyRedirectHopIsChecked() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            // Allowed by host name "127.0.0.1"; the redirect goes to "localhost" (the same machine), which
            // the policy does not name, so the second hop is refused before it connects.
            let policy = SSRFPolicy(allowedHosts: ["127.0.0.1"])
            let target = "http://localhost:\(server.port)/status/200"
            let escaped = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? target
            var request = HTTPRequest(url: server.url("/redirect-to?url=\(escaped)"), ssrfPolicy: policy)
            request.followRedirects = true
            let error = #expect(throws: HTTPClientError.self) { try client.send(request) }
            guard case .ssrfRefused(let host, _, _)? = error else {
                Issue.record("expected ssrfRefused, got \(String(describing: error))")
                return
            }
            #expect(host == "localhost:\(server.port)")
            #expect(try server.requests().count == 1)
        }
    }
}

@Suite("SSRF policy rules")
struct SSRFPolicyTests {
    static func address(_ text: String) throws -> IPAddress {
        try #require(IPAddress(text), "\(text) should parse")
    }

    @Test(arguments: [
        ("127.0.0.1", AddressClass.loopback), ("127.255.0.9", .loopback), ("::1", .loopback),
        ("10.1.2.3", .privateNetwork), ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork),
        ("192.168.1.1", .privateNetwork), ("fc00::1", .privateNetwork), ("fdff::1", .privateNetwork),
        ("169.254.1.1", .linkLocal), ("fe80::1", .linkLocal), ("febf::1", .linkLocal),
        ("100.64.0.1", .sharedAddressSpace), ("100.127.255.255", .sharedAddressSpace),
        ("0.0.0.0", .unspecified), ("::", .unspecified),
        ("224.0.0.1", .multicast), ("239.255.255.250", .multicast), ("ff02::1", .multicast),
        ("255.255.255.255", .broadcast),
        ("169.254.169.254", .cloudMetadata), ("fd00:ec2::254", .cloudMetadata), ("100.100.100.200", .cloudMetadata),
        ("::ffff:127.0.0.1", .loopback), ("::ffff:10.0.0.1", .privateNetwork), ("::ffff:169.254.169.254", .cloudMetadata),
        ("64:ff9b::7f00:1", .loopback), ("2002:7f00:1::1", .loopback), ("::127.0.0.1", .loopback),
        ("0.1.2.3", .reserved), ("240.0.0.1", .reserved), ("192.0.2.1", .reserved), ("2001:db8::1", .reserved),
        ("8.8.8.8", .publicUnicast), ("172.32.0.1", .publicUnicast), ("100.128.0.1", .publicUnicast),
        ("2606:4700::1111", .publicUnicast), ("::ffff:8.8.8.8", .publicUnicast),
    ])
    func classifies(_ text: String, _ expected: AddressClass) throws {
        #expect(SSRFPolicy.classify(try Self.address(text)) == expected, "\(text)")
    }

    @Test func defaultRefusesEverythingButPublicUnicast() throws {
        let policy = SSRFPolicy.publicOnly
        #expect(policy.check(try Self.address("8.8.8.8"), host: "dns.google") == nil)
        let refusal = policy.check(try Self.address("::ffff:127.0.0.1"), host: nil)
        #expect(refusal?.addressClass == .loopback)
        #expect(refusal?.description == "::ffff:127.0.0.1 is a loopback address")
    }

    @Test func allowPrivateStillRefusesCloudMetadata() throws {
        let policy = SSRFPolicy.allowPrivateNetworks
        #expect(policy.check(try Self.address("10.0.0.5"), host: nil) == nil)
        #expect(policy.check(try Self.address("127.0.0.1"), host: nil) == nil)
        #expect(policy.check(try Self.address("169.254.169.254"), host: nil)?.addressClass == .cloudMetadata)
        #expect(policy.check(try Self.address("fd00:ec2::254"), host: nil)?.addressClass == .cloudMetadata)
    }

    @Test func explicitNetworksAllowEvenMetadataAndCoverMappedForms() throws {
        let policy = try SSRFPolicy.allowing(networks: ["169.254.169.254/32", "10.1.0.0/16"])
        #expect(policy.check(try Self.address("169.254.169.254"), host: nil) == nil)
        #expect(policy.check(try Self.address("10.1.200.3"), host: nil) == nil)
        #expect(policy.check(try Self.address("::ffff:10.1.0.9"), host: nil) == nil)
        #expect(policy.check(try Self.address("10.2.0.1"), host: nil)?.addressClass == .privateNetwork)
    }

    @Test func allowedHostsMatchCaseInsensitivelyAndOnlyThatHost() throws {
        let policy = SSRFPolicy(allowedHosts: ["Internal.Example."])
        #expect(policy.check(try Self.address("10.0.0.1"), host: "internal.example") == nil)
        #expect(policy.check(try Self.address("10.0.0.1"), host: "other.example") != nil)
    }

    @Test func networksParse() throws {
        #expect(IPNetwork("10.0.0.0/8")?.contains(try Self.address("10.255.1.1")) == true)
        #expect(IPNetwork("10.0.0.0/8")?.contains(try Self.address("11.0.0.1")) == false)
        #expect(IPNetwork("10.9.9.9/8")?.description == "10.0.0.0/8")
        #expect(IPNetwork("fd00::/8")?.contains(try Self.address("fdab::1")) == true)
        #expect(IPNetwork("2001:db8::/127")?.contains(try Self.address("2001:db8::1")) == true)
        #expect(IPNetwork("2001:db8::/127")?.contains(try Self.address("2001:db8::2")) == false)
        #expect(IPNetwork("0.0.0.0/0")?.contains(try Self.address("1.2.3.4")) == true)
        #expect(IPNetwork("10.0.0.0/33") == nil)
        #expect(IPNetwork("10.0.0.0/") == nil)
        #expect(IPNetwork("example.com/8") == nil)
        #expect(IPNetwork("1.2.3.4")?.prefixLength == 32)
        #expect(throws: SSRFPolicyError.invalidNetwork("nope/8")) { try SSRFPolicy.allowing(networks: ["nope/8"]) }
        #expect(IPAddress("[::1]")?.description == "::1")
        #expect(IPAddress("2130706433") == nil)
    }
}
