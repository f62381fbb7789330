import Testing
@testable import SluiceConfig

struct IPAddressTests {
    @Test(arguments: [
        ("0.0.0.0", IPAddress.v4(0), "0.0.0.0"),
        ("255.255.255.255", .v4(0xffff_ffff), "255.255.255.255"),
        ("10.0.0.1", .v4(0x0a00_0001), "10.0.0.1"),
        ("192.168.100.7", .v4(0xc0a8_6407), "192.168.100.7"),
    ])
    func parsesIPv4(text: String, expected: IPAddress, canonical: String) {
        #expect(IPAddress(text) == expected)
        #expect(IPAddress(text)?.description == canonical)
    }

    @Test(arguments: [
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("fe80::1", "fe80::1"),
        ("FE80:0:0:0:0:0:0:1", "fe80::1"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        ("::1.2.3.4", "::102:304"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("fe80::1%eth0", "fe80::1"),
        ("fe80::abcd%25", "fe80::abcd"),
    ])
    func parsesIPv6(text: String, canonical: String) {
        let ip = IPAddress(text)
        #expect(ip?.description == canonical)
        if case .v6 = ip {} else { Issue.record("\(text) should be IPv6, got \(String(describing: ip))") }
        // Canonical text parses back to the same address.
        #expect(IPAddress(canonical) == ip)
    }

    @Test func ipv6Bits() {
        #expect(IPAddress("::1") == .v6(0, 1))
        #expect(IPAddress("fe80::1") == .v6(0xfe80_0000_0000_0000, 1))
        #expect(IPAddress("1:2:3:4:5:6:7:8") == .v6(0x0001_0002_0003_0004, 0x0005_0006_0007_0008))
    }

    @Test(arguments: ["::ffff:1.2.3.4", "::FFFF:1.2.3.4", "::ffff:0102:0304", "0:0:0:0:0:ffff:1.2.3.4", "::ffff:1.2.3.4%eth0"])
    func ipv4MappedNormalisesToIPv4(text: String) {
        #expect(IPAddress(text) == .v4(0x0102_0304))
        #expect(IPAddress(text)?.description == "1.2.3.4")
    }

    @Test func normalizedAndMappedDescription() {
        let mapped = IPAddress.v6(0, 0x0000_ffff_0a00_0001)
        #expect(mapped.normalized == .v4(0x0a00_0001))
        #expect(mapped.description == "::ffff:10.0.0.1")
        #expect(IPAddress.v6(0, 1).normalized == .v6(0, 1))
        #expect(IPAddress.v4(7).normalized == .v4(7))
    }

    @Test(arguments: [
        "", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "+1.2.3.4", "1.+2.3.4", "-1.2.3.4",
        "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.4.", ".1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "a.b.c.d",
        "1.2.3.4/8", "١.٢.٣.٤", "1234.1.1.1",
        ":", ":::", "1:::2", "::1::", "1::2::3", ":1::", "1::2:", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:",
        "12345::", "g::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "::1.2.3",
        "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "::256.1.1.1", "fe80::1%", "%eth0",
        "[::1]", "::1 ", "example.com", "localhost",
    ])
    func rejects(text: String) {
        #expect(IPAddress(text) == nil)
    }
}
