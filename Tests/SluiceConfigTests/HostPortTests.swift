import Testing
@testable import SluiceConfig

struct HostPortTests {
    @Test(arguments: [
        ("127.0.0.1:6379", "127.0.0.1", 6379, "127.0.0.1:6379"),
        ("[::1]:6379", "::1", 6379, "[::1]:6379"),
        ("[2001:db8::1]:1", "2001:db8::1", 1, "[2001:db8::1]:1"),
        ("[fe80::1%eth0]:80", "fe80::1%eth0", 80, "[fe80::1%eth0]:80"),
        ("[::ffff:1.2.3.4]:443", "::ffff:1.2.3.4", 443, "[::ffff:1.2.3.4]:443"),
        ("example.com:80", "example.com", 80, "example.com:80"),
        ("localhost:65535", "localhost", 65535, "localhost:65535"),
        ("redis-1.internal:0080", "redis-1.internal", 80, "redis-1.internal:80"),
    ])
    func parses(text: String, host: String, port: Int, canonical: String) {
        #expect(HostPort.parse(text) == .success(HostPort(host: host, port: port)))
        #expect((try? HostPort.parse(text).get())?.description == canonical)
    }

    @Test(arguments: [
        ("127.0.0.1", HostPortError.missingPort("127.0.0.1")),
        ("127.0.0.1:", .missingPort("127.0.0.1:")),
        ("example.com", .missingPort("example.com")),
        ("[::1]", .missingPort("[::1]")),
        ("[::1]:", .missingPort("[::1]:")),
        ("host:abc", .portNotANumber("abc")),
        ("host:+80", .portNotANumber("+80")),
        ("host:-1", .portNotANumber("-1")),
        ("host: 80", .portNotANumber(" 80")),
        ("host:8 0", .portNotANumber("8 0")),
        ("host:٨٠", .portNotANumber("٨٠")),
        ("127.0.0.1:70000", .portOutOfRange("70000")),
        ("host:0", .portOutOfRange("0")),
        ("host:99999999999999999999999", .portOutOfRange("99999999999999999999999")),
        (":80", .emptyHost(":80")),
        ("[]:80", .emptyHost("[]:80")),
        ("::1:80", .badIPv6Brackets("::1:80")),
        ("fe80::1:80", .badIPv6Brackets("fe80::1:80")),
        ("[::1:80", .badIPv6Brackets("[::1:80")),
        ("::1]:80", .badIPv6Brackets("::1]:80")),
        ("[::1]80", .badIPv6Brackets("[::1]80")),
        ("[1.2.3.4]:80", .badIPv6Brackets("[1.2.3.4]:80")),
        ("[example.com]:80", .badIPv6Brackets("[example.com]:80")),
        ("[::1]]:80", .badIPv6Brackets("[::1]]:80")),
    ])
    func rejects(text: String, expected: HostPortError) {
        #expect(HostPort.parse(text) == .failure(expected))
    }

    @Test func messages() {
        #expect(HostPortError.portOutOfRange("70000").description == "must be 1…65535, got 70000")
        #expect(HostPortError.portNotANumber("abc").description == "must be a port number 1…65535, got \"abc\"")
        #expect(HostPortError.missingPort("h").description == "must be \"host:port\", got \"h\" (no port)")
        #expect(HostPortError.emptyHost(":1").description == "must be \"host:port\", got \":1\" (empty host)")
        #expect("\(HostPortError.badIPv6Brackets("::1:80"))".contains("[::1]:80"))
    }

    @Test func descriptionBracketsIPv6() {
        #expect(HostPort(host: "::1", port: 53).description == "[::1]:53")
        #expect(HostPort(host: "10.0.0.1", port: 53).description == "10.0.0.1:53")
    }
}

struct PortRangeTests {
    @Test(arguments: [
        ("9100-9110", 9100, 9110),
        ("9100", 9100, 9100),
        ("1-65535", 1, 65535),
        ("80-80", 80, 80),
    ])
    func parses(text: String, lower: Int, upper: Int) {
        let range = PortRange.parse(text)
        #expect(range?.lower == lower)
        #expect(range?.upper == upper)
        #expect(range?.ports == lower...upper)
    }

    @Test(arguments: [
        "", "-", "9110-9100", "0", "0-10", "65536", "1-65536", "9100-", "-9100", "9100--9110", "9100-9105-9110",
        "+9100", "9100 - 9110", " 9100", "abc", "9100:9110", "1-2-3",
    ])
    func rejects(text: String) {
        #expect(PortRange.parse(text) == nil)
    }

    @Test func memberwise() {
        #expect(PortRange(lower: 5, upper: 4) == nil)
        #expect(PortRange(lower: 0, upper: 4) == nil)
        #expect(PortRange(lower: 5, upper: 5)?.ports.count == 1)
    }
}
