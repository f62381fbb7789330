import Testing

@testable import SluiceEngine

/// Seeded fuzzing of `ClientHelloParser`: random bytes and mutations of real and hand-built ClientHellos
/// must never trap, and every result must be self-consistent.
struct ClientHelloFuzzTests {
    /// Cases per seed; four seeds run in parallel, 100,000 cases in all.
    static let casesPerSeed = 25_000
    static let seeds: [UInt64] = [0x0000_0000_0000_0011, 0x0BAD_5EED_0000_0012, 0xDEAD_BEEF_0000_0013, 0x1234_5678_9ABC_DEF1]

    /// Valid ClientHellos to mutate, with the offsets of their 16-bit length fields.
    static let corpus: [([UInt8], [Int])] = ClientHelloParserTests.valid.map { ($0.1, lengthOffsets($0.1)) }

    @Test(arguments: seeds)
    func fuzz(seed: UInt64) {
        var random = ParserFuzzRandom(seed: seed)
        var failures = 0
        for iteration in 0..<Self.casesPerSeed {
            let input: [UInt8]
            switch random.below(10) {
            case 0:  // random bytes
                input = random.bytes(random.below(300))
            case 1:  // plausible record header + random body
                let length = random.below(400)
                input = [0x16, 0x03, UInt8(1 + random.below(4)), UInt8(length >> 8), UInt8(length & 0xFF), 0x01]
                    + random.bytes(random.below(length + 8))
            default:  // mutation of a valid ClientHello
                let (base, offsets) = Self.corpus[random.below(Self.corpus.count)]
                input = random.mutate(base, lengthOffsets: offsets)
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
        let result = ClientHelloParser.parse(input[...])
        let recordEnd = input.count >= 5 ? 5 + (Int(input[3]) << 8 | Int(input[4])) : Int.max
        switch result {
        case .needMoreData:
            if input.count >= recordEnd { return "needMoreData with the whole record" }
        case .clientHello(let serverName, let alpn):
            if input.count < recordEnd { return "ClientHello before the record is complete" }
            if let serverName {
                let bytes = Array(serverName.utf8)
                if bytes.isEmpty || bytes.count > 255 { return "server name length \(bytes.count)" }
                if bytes.last == UInt8(ascii: ".") { return "trailing dot kept" }
                if bytes.contains(where: { $0 <= 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "/") }) { return "bad byte kept" }
                if serverName != serverName.lowercased() { return "not lower-cased" }
            }
            if alpn.contains(where: \.isEmpty) { return "empty ALPN protocol" }
            if ClientHelloParser.parse(input.prefix(recordEnd)) != result { return "depends on bytes after the record" }
            let extended = input + random.bytes(1 + random.below(16))
            if ClientHelloParser.parse(extended[...]) != result { return "changed by later bytes" }
        case .notTLS(let message):
            let headerOK = input.count >= 3 && input[0] == 0x16 && input[1] == 3 && (1...4).contains(input[2])
            if message.isEmpty || headerOK { return "notTLS for a TLS record header" }
        case .malformed(let message):
            if message.isEmpty { return "empty reason" }
            let extended = input + random.bytes(1 + random.below(16))
            if ClientHelloParser.parse(extended[...]) != result { return "malformed became \(ClientHelloParser.parse(extended[...]))" }
        }
        return nil
    }

    /// Offsets of the 16-bit length fields in a well-formed ClientHello record (record, handshake low bytes,
    /// cipher suites, extensions, each extension, server_name and ALPN lists, host names).
    static func lengthOffsets(_ record: [UInt8]) -> [Int] {
        func u16(_ at: Int) -> Int { at + 1 < record.count ? Int(record[at]) << 8 | Int(record[at + 1]) : 0 }
        var offsets = [3, 7]
        var position = 9 + 2 + 32
        guard position < record.count else { return offsets }
        position += 1 + Int(record[position])  // session id
        offsets.append(position)
        position += 2 + u16(position)  // cipher suites
        guard position < record.count else { return offsets }
        position += 1 + Int(record[position])  // compression
        guard position + 2 <= record.count else { return offsets }
        offsets.append(position)
        var cursor = position + 2
        while cursor + 4 <= record.count {
            let type = u16(cursor)
            let length = u16(cursor + 2)
            offsets.append(cursor + 2)
            if type == 0 || type == 16 { offsets.append(cursor + 4) }
            if type == 0 { offsets.append(cursor + 7) }
            cursor += 4 + length
        }
        return offsets
    }
}
