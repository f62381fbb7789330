import Testing

@testable import SluiceEngine

/// Table-driven tests of `ClientHelloParser` on real and hand-built ClientHellos.
struct ClientHelloParserTests {
    typealias Builder = ClientHelloTestBuilder

    static func parse(_ bytes: [UInt8]) -> ClientHelloParseResult {
        ClientHelloParser.parse(bytes[...])
    }

    static let valid: [(String, [UInt8], String?, [String])] = [
        ("openssl TLS 1.3", ClientHelloFixtures.opensslTLS13, "a.example.com", ["h2", "http/1.1"]),
        ("openssl TLS 1.2", ClientHelloFixtures.opensslTLS12, "b.example.com", ["http/1.1"]),
        ("openssl no SNI", ClientHelloFixtures.opensslNoSNI, nil, []),
        ("python ssl", ClientHelloFixtures.pythonSSL, "svc.internal.test", ["acme-tls/1"]),
        (
            "built TLS 1.3", Builder.tls13([Builder.serverName("API.Example.COM."), Builder.alpn(["h2", "http/1.1"])]).record(),
            "api.example.com", ["h2", "http/1.1"]
        ),
        ("built TLS 1.3 no SNI", Builder.tls13([Builder.alpn(["h2"])]).record(), nil, ["h2"]),
        ("built TLS 1.2 SNI", Builder.tls12([Builder.serverName("legacy.example.net")]).record(), "legacy.example.net", []),
        ("built TLS 1.2 no SNI", Builder.tls12([]).record(), nil, []),
        ("no extensions block", Builder(extensions: nil).record(), nil, []),
        ("empty extensions block", Builder(extensions: []).record(), nil, []),
        (
            "unknown name type skipped",
            Builder(extensions: [(0, Builder.serverNameData([(7, [1, 2, 3]), (0, Array("x.test".utf8))]))]).record(),
            "x.test", []
        ),
        (
            "255-byte host name",
            Builder(extensions: [Builder.serverName(String(repeating: "a", count: 251) + ".com")]).record(),
            String(repeating: "a", count: 251) + ".com", []
        ),
        ("punycode", Builder(extensions: [Builder.serverName("xn--bcher-kva.example")]).record(), "xn--bcher-kva.example", []),
        ("record version 3.3", Builder(recordVersion: [3, 3], extensions: [Builder.serverName("a.b")]).record(), "a.b", []),
        ("record version 3.4", Builder(recordVersion: [3, 4], extensions: [Builder.serverName("a.b")]).record(), "a.b", []),
        ("32-byte session id", Builder(sessionID: [UInt8](repeating: 1, count: 32)).record(), nil, []),
    ]

    @Test(arguments: 0..<valid.count)
    func validClientHellos(_ index: Int) {
        let (name, bytes, serverName, alpn) = Self.valid[index]
        let expected = ClientHelloParseResult.clientHello(serverName: serverName, alpn: alpn)
        #expect(Self.parse(bytes) == expected, "\(name)")
        // Bytes after the record (the rest of the stream) do not matter.
        #expect(Self.parse(bytes + [0x14, 0x03, 0x03, 0x00, 0x01, 0x01]) == expected, "\(name) + trailing")
        for length in 0..<bytes.count where Self.parse(Array(bytes.prefix(length))) != .needMoreData {
            Issue.record("\(name): prefix \(length) of \(bytes.count) is not needMoreData")
            return
        }
    }

    static let notTLS: [(String, [UInt8])] = [
        ("application data", [0x17, 0x03, 0x03, 0x00, 0x10]),
        ("alert", [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]),
        ("HTTP", Array("GET / HTTP/1.1\r\n".utf8)),
        ("SSLv2 hello", [0x80, 0x2E, 0x01, 0x00, 0x02]),
        ("PROXY header", Array("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n".utf8)),
        ("major 2", [0x16, 0x02, 0x00]),
        ("SSL 3.0", [0x16, 0x03, 0x00, 0x00, 0x10]),
        ("3.5", [0x16, 0x03, 0x05]),
        ("one byte", [0x47]),
        ("two bytes", [0x16, 0x04]),
    ]

    @Test(arguments: 0..<notTLS.count)
    func notTLSInputs(_ index: Int) {
        let (name, bytes) = Self.notTLS[index]
        guard case .notTLS = Self.parse(bytes) else {
            Issue.record("\(name): expected notTLS, got \(Self.parse(bytes))")
            return
        }
    }

    static func withSNI(_ data: [UInt8]) -> [UInt8] {
        Builder(extensions: [(0, data)]).record()
    }

    static func withALPN(_ data: [UInt8]) -> [UInt8] {
        Builder(extensions: [(16, data)]).record()
    }

    static let malformed: [(String, [UInt8], String)] = [
        ("record too long", [0x16, 0x03, 0x01, 0x48, 0x01], "record length"),
        ("empty record", [0x16, 0x03, 0x01, 0x00, 0x00], "handshake type overruns"),
        ("server hello", Builder(handshakeType: 2).record(), "is not ClientHello"),
        ("handshake longer than record", Builder(handshakeLengthOverride: 500).record(), "fragmented"),
        ("handshake length too short", Builder(handshakeLengthOverride: 40).record(), "overruns"),
        ("legacy version 2.0", Builder(legacyVersion: [2, 0]).record(), "legacy_version"),
        ("session id 33", Builder(sessionID: [UInt8](repeating: 0, count: 33)).record(), "longer than 32"),
        ("session id overrun", Builder(sessionIDLengthOverride: 30).record(), "overruns"),
        ("odd cipher suites", Builder(cipherSuites: [0x13, 0x01, 0x13]).record(), "odd or zero"),
        ("no cipher suites", Builder(cipherSuites: []).record(), "odd or zero"),
        ("cipher suites overrun", Builder(cipherSuitesLengthOverride: 200).record(), "overruns"),
        ("no compression", Builder(compression: []).record(), "no compression methods"),
        ("extensions overrun", Builder(extensions: [Builder.serverName("a.b")], extensionsLengthOverride: 100).record(), "overruns"),
        (
            "bytes after extensions", Builder(extensions: [Builder.serverName("a.b")], extensionsLengthOverride: 4).record(),
            "bytes after the extensions block"
        ),
        ("extension overrun", Builder(extensions: [(0x1234, [1, 2])], extensionsLengthOverride: 3).record(), "bytes after"),
        ("duplicate SNI", Builder(extensions: [Builder.serverName("a.b"), Builder.serverName("c.d")]).record(), "duplicate extension 0"),
        ("duplicate other", Builder(extensions: [(5, []), (5, [])]).record(), "duplicate extension 5"),
        ("SNI list too long", withSNI(Builder.serverNameData([(0, Array("a.b".utf8))], listLengthOverride: 7)), "overruns"),
        ("SNI list too short", withSNI(Builder.serverNameData([(0, Array("a.b".utf8))], listLengthOverride: 5)), "disagrees"),
        ("SNI empty list", withSNI([0, 0]), "empty server_name list"),
        ("SNI extension empty", withSNI([]), "overruns"),
        ("SNI empty host", withSNI(Builder.serverNameData([(0, [])])), "empty host_name"),
        ("SNI space", withSNI(Builder.serverNameData([(0, Array("a b".utf8))])), "contains byte 32"),
        ("SNI slash", withSNI(Builder.serverNameData([(0, Array("a/b".utf8))])), "contains byte 47"),
        ("SNI NUL", withSNI(Builder.serverNameData([(0, [0x61, 0x00])])), "contains byte 0"),
        ("SNI DEL", withSNI(Builder.serverNameData([(0, [0x61, 0x7F])])), "contains byte 127"),
        ("SNI UTF-8", withSNI(Builder.serverNameData([(0, Array("bücher.de".utf8))])), "contains byte 195"),
        ("SNI 256 bytes", withSNI(Builder.serverNameData([(0, [UInt8](repeating: 0x61, count: 256))])), "longer than 255"),
        ("SNI dot only", withSNI(Builder.serverNameData([(0, [0x2E])])), "only a dot"),
        // Found by FuzzClientHello: "a.." kept a trailing dot after the one stripped.
        ("SNI two trailing dots", withSNI(Builder.serverNameData([(0, Array("a.b..".utf8))])), "empty label"),
        ("SNI leading dot", withSNI(Builder.serverNameData([(0, Array(".a.b".utf8))])), "empty label"),
        ("SNI inner empty label", withSNI(Builder.serverNameData([(0, Array("a..b".utf8))])), "empty label"),
        ("SNI two host names", withSNI(Builder.serverNameData([(0, [0x61]), (0, [0x62])])), "more than one host_name"),
        ("SNI name overrun", withSNI([0, 6, 0, 0, 9, 0x61, 0x62, 0x63]), "overruns"),
        ("ALPN empty list", withALPN([0, 0]), "empty ALPN list"),
        ("ALPN empty protocol", withALPN([0, 1, 0]), "empty ALPN protocol name"),
        ("ALPN list too short", withALPN(Builder.alpnData(["h2"], listLengthOverride: 2)), "disagrees"),
        ("ALPN protocol overrun", withALPN([0, 3, 5, 0x68, 0x32]), "overruns"),
    ]

    @Test(arguments: 0..<malformed.count)
    func malformedClientHellos(_ index: Int) {
        let (name, bytes, reason) = Self.malformed[index]
        let result = Self.parse(bytes)
        guard case .malformed(let message) = result else {
            Issue.record("\(name): expected malformed, got \(result)")
            return
        }
        #expect(message.contains(reason), "\(name): \(message)")
    }

    @Test func waitsForTheWholeRecord() {
        let record = ClientHelloFixtures.opensslTLS13
        #expect(Self.parse([]) == .needMoreData)
        #expect(Self.parse([0x16]) == .needMoreData)
        #expect(Self.parse([0x16, 0x03, 0x01, 0x01]) == .needMoreData)
        #expect(Self.parse(Array(record.dropLast())) == .needMoreData)
        #expect(ClientHelloParser.parse(([0xFF] + record)[1...]) == .clientHello(serverName: "a.example.com", alpn: ["h2", "http/1.1"]))
    }
}
