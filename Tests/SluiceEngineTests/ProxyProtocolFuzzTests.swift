import Testing

@testable import SluiceEngine

/// Seeded fuzzing of `ProxyProtocolParser`: random bytes and mutations of valid headers must never trap,
/// and every result must be self-consistent.
struct ProxyProtocolFuzzTests {
    /// Cases per seed; four seeds run in parallel, 100,000 cases in all.
    static let casesPerSeed = 25_000
    static let seeds: [UInt64] = [0x0000_0000_0000_0001, 0x0BAD_5EED_0000_0002, 0xDEAD_BEEF_0000_0003, 0x1234_5678_9ABC_DEF0]

    /// Valid headers to mutate.
    static let corpus: [[UInt8]] = {
        var headers: [[UInt8]] = ProxyProtocolParserTests.validV1.map { Array($0.0.utf8) }
        headers += ProxyProtocolParserTests.validV2.map(\.0)
        headers.append(ProxyProtocolEncoder.v2(source: ("2001:db8::1", 1), destination: ("::1", 2), transport: .udp))
        return headers
    }()

    /// Characters v1 headers are made of, to reach deep into the v1 parser.
    static let v1Alphabet: [UInt8] = Array("PROXY TCP46UNKOW0123456789abcdefABCDEF.:: \r\n".utf8)

    @Test(arguments: seeds)
    func fuzz(seed: UInt64) {
        var random = ParserFuzzRandom(seed: seed)
        var failures = 0
        for iteration in 0..<Self.casesPerSeed {
            let input: [UInt8]
            switch random.below(10) {
            case 0, 1:  // random bytes
                input = random.bytes(random.below(300))
            case 2:  // v1 prefix + v1-ish characters
                input = ProxyProtocolParser.v1Prefix + (0..<random.below(120)).map { _ in
                    Self.v1Alphabet[random.below(Self.v1Alphabet.count)]
                }
            case 3:  // v2 signature + random bytes
                input = ProxyProtocolParser.v2Signature + random.bytes(random.below(600))
            default:  // mutation of a valid header, sometimes followed by payload
                let base = Self.corpus[random.below(Self.corpus.count)]
                let payload = random.below(2) == 0 ? random.bytes(random.below(40)) : []
                input = random.mutate(base + payload, lengthOffsets: [14])
            }
            if let problem = Self.check(input, &random) {
                Issue.record("seed \(seed) iteration \(iteration): \(problem); input \(input)")
                failures += 1
                if failures >= 5 { return }
            }
        }
    }

    /// Consistency of one parse; nil when fine.
    static func check(_ input: [UInt8], _ random: inout ParserFuzzRandom) -> String? {
        let result = ProxyProtocolParser.parse(input[...])
        let extended = input + random.bytes(1 + random.below(16))
        switch result {
        case .needMoreData:
            let limit = input.first == UInt8(ascii: "P")
                ? ProxyProtocolParser.maxV1HeaderLength : ProxyProtocolParser.maxV2HeaderLength
            if input.count >= limit { return "needMoreData with \(input.count) bytes" }
        case .header(let header, let consumed):
            if consumed < 1 || consumed > input.count { return "consumed \(consumed) of \(input.count)" }
            if header.version == 1, consumed > ProxyProtocolParser.maxV1HeaderLength { return "v1 consumed \(consumed)" }
            if header.version == 2, consumed < 16 || consumed > ProxyProtocolParser.maxV2HeaderLength {
                return "v2 consumed \(consumed)"
            }
            if header.version != 1, header.version != 2 { return "version \(header.version)" }
            if (header.source == nil) != (header.destination == nil) { return "one-sided addresses" }
            if header.command == .local, header.source != nil { return "LOCAL with addresses" }
            for endpoint in [header.source, header.destination].compactMap({ $0 }) where !(0...65535).contains(endpoint.port) {
                return "port \(endpoint.port)"
            }
            if ProxyProtocolParser.parse(input.prefix(consumed)) != result { return "not stable on its own bytes" }
            if ProxyProtocolParser.parse(extended[...]) != result { return "changed by more payload" }
            if let source = header.source, let destination = header.destination {
                let reencoded =
                    header.version == 1
                    ? ProxyProtocolEncoder.v1(source: source, destination: destination)
                    : ProxyProtocolEncoder.v2(source: source, destination: destination, transport: header.transport)
                guard case .header(let again, _) = ProxyProtocolParser.parse(reencoded[...]),
                    again.source == source, again.destination == destination
                else { return "re-encoding does not round-trip" }
            }
        case .invalid(let message):
            if message.isEmpty { return "empty reason" }
            if ProxyProtocolParser.parse(extended[...]) != result { return "invalid became \(ProxyProtocolParser.parse(extended[...]))" }
        }
        return nil
    }
}
