import Testing

@testable import SluiceEngine

/// Seeded fuzzing of `MQTTConnectParser`: random bytes and mutations of real CONNECTs never trap, and every verdict
/// is consistent — a complete CONNECT stays the same with more bytes appended, and a prefix of it says the same or
/// "need more data".
struct MQTTConnectFuzzTests {
    static let casesPerSeed = 25_000
    static let seeds: [UInt64] = [0x0000_0000_0000_0021, 0x0BAD_5EED_0000_0022, 0xDEAD_BEEF_0000_0023]

    static let corpus: [[UInt8]] = [
        MQTTConnectBuilder(clientID: "a").bytes,
        MQTTConnectBuilder(level: 5, properties: [0x11, 0, 0, 0, 30, 0x21, 0, 4], clientID: "fuzz-5").bytes,
        MQTTConnectBuilder(protocolName: "MQIsdp", level: 3, clientID: "", rest: [0, 1, 0x61]).bytes,
    ]

    @Test(arguments: seeds)
    func fuzz(seed: UInt64) {
        var random = ParserFuzzRandom(seed: seed)
        var failures = 0
        for iteration in 0..<Self.casesPerSeed {
            let input = random.below(8) == 0
                ? [0x10] + random.bytes(random.below(64))
                : random.mutate(Self.corpus[random.below(Self.corpus.count)], lengthOffsets: [1, 2])
            let limit = random.below(4) == 0 ? 1 + random.below(64) : 65_536
            if let problem = Self.check(input, limit: limit, &random) {
                Issue.record("seed \(seed) iteration \(iteration): \(problem); input \(input)")
                failures += 1
                if failures >= 5 { return }
            }
        }
    }

    static func check(_ input: [UInt8], limit: Int, _ random: inout ParserFuzzRandom) -> String? {
        let result = MQTTConnectParser.parse(input[...], limit: limit)
        switch result {
        case .connect, .unknownLevel:
            let longer = MQTTConnectParser.parse((input + random.bytes(random.below(16)))[...], limit: limit)
            if longer != result { return "appending bytes changed \(result) into \(longer)" }
            let cut = random.below(max(1, input.count))
            let prefix = MQTTConnectParser.parse(input.prefix(cut), limit: limit)
            if prefix != .needMoreData && prefix != result { return "a prefix parsed as \(prefix), not \(result)" }
        case .needMoreData:
            if input.count >= limit { return "needMoreData on a full buffer" }
        case .malformed, .oversized:
            break
        }
        return nil
    }
}
