import Testing
@testable import SluiceConfig

/// `dns_resolver`, `dns_resolver_valid`, `resolver_timeout` in config.yaml (APISIX's names, under either root).
struct DNSSettingsTests {
    func decode(_ yaml: String) throws -> NodeSettings {
        try NodeSettings.decode(try ConfigValue.parseYAML(yaml, file: "config.yaml"), file: "config.yaml",
                                directory: "/etc/sluice")
    }

    @Test func defaultsToTheSystemResolver() throws {
        let s = try decode("sluice:\n  data_file: gw.yaml\n")
        #expect(s.dns == DNSSettings())
        #expect(s.dns.servers.isEmpty)
    }

    @Test func serversWithAndWithoutPortsAndBothFamilies() throws {
        let s = try decode("""
        apisix:
          dns_resolver: ["127.0.0.1", "127.0.0.2:5353", "::1", "[::1]:5300"]
          dns_resolver_valid: 10
          resolver_timeout: 2
        """)
        #expect(s.dns.servers.map(\.description) == ["127.0.0.1:53", "127.0.0.2:5353", "[::1]:53", "[::1]:5300"])
        #expect(s.dns.valid == 10)
        #expect(s.dns.timeout == 2)
    }

    @Test func aHostNameAsServerIsRefusedWithItsLine() throws {
        #expect {
            _ = try decode("sluice:\n  dns_resolver:\n    - dns.example.com\n")
        } throws: { error in
            "\(error)".contains("sluice.dns_resolver") && "\(error)".contains("must be an IP address")
                && "\(error)".contains(":3")
        }
    }

    @Test func aZeroOrNegativeValidityIsRefused() throws {
        #expect(throws: ConfigErrors.self) { _ = try decode("sluice:\n  dns_resolver_valid: 0\n") }
        #expect(throws: ConfigErrors.self) { _ = try decode("sluice:\n  resolver_timeout: -1\n") }
    }
}
