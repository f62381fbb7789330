import Testing
@testable import SluiceConfig

struct CIDRTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("10.1.2.3/8", "10.0.0.0/8"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("1.2.3.4", "1.2.3.4/32"),
        ("192.168.1.130/25", "192.168.1.128/25"),
        ("::1/128", "::1/128"),
        ("::1", "::1/128"),
        ("fe80::/10", "fe80::/10"),
        ("fe80::1234/10", "fe80::/10"),
        ("::/0", "::/0"),
        ("2001:db8::ffff/64", "2001:db8::/64"),
        ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
        ("::ffff:1.2.3.4", "1.2.3.4/32"),
        ("::ffff:0:0/96", "0.0.0.0/0"),
        ("10.0.0.0/08", "10.0.0.0/8"),
    ])
    func parses(text: String, canonical: String) {
        #expect(CIDR(text)?.description == canonical)
    }

    @Test(arguments: [
        "", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8",
        "foo/8", "10.0.0.0/ 8", "10.0.0.0 /8", "10.0.0/8", "10.0.0.0/1000", "10.0.0.0/x", "fe80::/10%eth0",
    ])
    func rejects(text: String) {
        #expect(CIDR(text) == nil)
    }

    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0", true),
        ("10.0.0.0/8", "10.255.255.255", true),
        ("10.0.0.0/8", "11.0.0.0", false),
        ("10.0.0.0/8", "9.255.255.255", false),
        ("192.168.1.128/25", "192.168.1.127", false),
        ("192.168.1.128/25", "192.168.1.200", true),
        ("1.2.3.4", "1.2.3.4", true),
        ("1.2.3.4", "1.2.3.5", false),
        ("0.0.0.0/0", "255.1.2.3", true),
        ("0.0.0.0/0", "::1", false),
        ("127.0.0.0/8", "::ffff:127.0.0.1", true),
        ("::1/128", "::1", true),
        ("::1/128", "::2", false),
        ("::1/128", "127.0.0.1", false),
        ("::/0", "2001:db8::1", true),
        ("::/0", "1.2.3.4", false),
        ("::/0", "::ffff:1.2.3.4", false),
        ("fe80::/10", "fe80::1", true),
        ("fe80::/10", "febf:ffff::1", true),
        ("fe80::/10", "fec0::1", false),
        ("2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", true),
        ("2001:db8::/64", "2001:db8:0:1::", false),
        ("2001:db8::1:0:0:0/80", "2001:db8::1:0:ffff:ffff", true),
        ("2001:db8::1:0:0:0/80", "2001:db8::2:0:0:0", false),
        ("::ffff:10.0.0.0/104", "10.9.8.7", true),
    ])
    func contains(cidr: String, address: String, expected: Bool) throws {
        let block = try #require(CIDR(cidr))
        let ip = try #require(IPAddress(address))
        #expect(block.contains(ip) == expected)
    }

    @Test func containsNormalisesMappedAddressesBuiltFromBits() throws {
        let block = try #require(CIDR("10.0.0.0/8"))
        #expect(block.contains(.v6(0, 0x0000_ffff_0a01_0203)))
        #expect(!block.contains(.v6(0, 0x0000_0000_0a01_0203)))
    }

    @Test func fieldsAndMemberwiseInit() throws {
        let block = try #require(CIDR("172.16.5.4/12"))
        #expect(block.address == .v4(0xac10_0000))
        #expect(block.prefixLength == 12)
        #expect(CIDR(address: .v4(0xac10_0504), prefixLength: 12) == block)
        #expect(CIDR(address: .v4(0), prefixLength: 33) == nil)
        #expect(CIDR(address: .v6(0, 0), prefixLength: -1) == nil)
        #expect(CIDR(address: .v6(0, 1), prefixLength: 128)?.description == "::1/128")
    }
}
