/// Seeded SplitMix64 generator plus byte-mutation helpers shared by the PROXY protocol and ClientHello
/// fuzz tests, so that every failure reproduces from its seed.
struct ParserFuzzRandom: RandomNumberGenerator {
    private var state: UInt64

    /// A generator whose whole sequence is determined by `seed`.
    init(seed: UInt64) {
        state = seed
    }

    /// Next 64 pseudo-random bits (SplitMix64).
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform integer in `0..<bound` (bound > 0).
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// Random byte.
    mutating func byte() -> UInt8 {
        UInt8(truncatingIfNeeded: next())
    }

    /// `count` random bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in byte() }
    }

    /// A randomly mutated copy of `input`: bit flips, byte overwrites, small additions to a byte (length-field
    /// tweaks), big-endian 16-bit overwrites at `lengthOffsets`, truncations, insertions, deletions,
    /// duplicated ranges and appended junk — one to four of them stacked.
    mutating func mutate(_ input: [UInt8], lengthOffsets: [Int] = []) -> [UInt8] {
        var data = input
        for _ in 0...below(4) {
            switch below(9) {
            case 0 where !data.isEmpty:  // bit flip
                let index = below(data.count)
                data[index] ^= UInt8(1) << UInt8(below(8))
            case 1 where !data.isEmpty:  // byte overwrite
                data[below(data.count)] = byte()
            case 2 where !data.isEmpty:  // small length tweak on any byte
                let index = below(data.count)
                data[index] = data[index] &+ UInt8(truncatingIfNeeded: below(7) - 3)
            case 3 where !lengthOffsets.isEmpty:  // known length field set to an interesting value
                let offset = lengthOffsets[below(lengthOffsets.count)]
                if offset + 1 < data.count {
                    let current = Int(data[offset]) << 8 | Int(data[offset + 1])
                    let choices = [0, 1, 0xFFFF, current &+ 1, current &- 1, current &+ below(64) - 32, below(0x10000)]
                    let value = choices[below(choices.count)] & 0xFFFF
                    data[offset] = UInt8(truncatingIfNeeded: value >> 8)
                    data[offset + 1] = UInt8(truncatingIfNeeded: value)
                }
            case 4:  // truncate
                data = Array(data.prefix(below(data.count + 1)))
            case 5:  // insert random bytes
                let index = below(data.count + 1)
                data.insert(contentsOf: bytes(1 + below(8)), at: index)
            case 6 where !data.isEmpty:  // delete a range
                let start = below(data.count)
                let end = min(data.count, start + 1 + below(8))
                data.removeSubrange(start..<end)
            case 7 where !data.isEmpty:  // duplicate a range
                let start = below(data.count)
                let end = min(data.count, start + 1 + below(16))
                data.insert(contentsOf: data[start..<end], at: below(data.count + 1))
            default:  // append junk
                data += bytes(below(32))
            }
        }
        return data
    }

    /// Decodes a hex string (whitespace ignored) into bytes; test fixtures only.
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.unicodeScalars.compactMap { UInt8(String($0), radix: 16) }
        var result: [UInt8] = []
        var index = 0
        while index + 1 < digits.count {
            result.append(digits[index] << 4 | digits[index + 1])
            index += 2
        }
        return result
    }
}
