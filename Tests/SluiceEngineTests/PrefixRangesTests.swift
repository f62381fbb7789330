import Testing
@testable import SluiceEngine

/// `PrefixRanges` against a scan of its blocks: for every address, the blocks containing it, innermost first —
/// with and without the directory, over clustered and scattered block sets.
struct PrefixRangesTests {
    typealias Block = PrefixRanges<UInt32>.Block

    /// The values of the blocks containing `key`, innermost (longest prefix) first.
    static func scan(_ blocks: [Block], _ key: UInt32) -> [Int32] {
        blocks.filter { $0.start <= key && key <= $0.end }.sorted { $0.prefixLength > $1.prefixLength }.map(\.value)
    }

    static func lookup(_ ranges: PrefixRanges<UInt32>, _ key: UInt32) -> [Int32] {
        ranges.valueIndices(ranges.range(of: key)).map(ranges.value(at:))
    }

    /// Distinct random CIDR blocks (so nested or disjoint) around `base`, prefix lengths in `lengths`.
    static func blocks(_ count: Int, base: UInt32, spread: UInt32, lengths: ClosedRange<Int>,
                       using random: inout SplitMix64) -> [Block] {
        var seen = Set<[UInt32]>()
        var blocks: [Block] = []
        while blocks.count < count {
            let length = Int.random(in: lengths, using: &random)
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            let start = (base &+ UInt32.random(in: 0...spread, using: &random)) & mask
            guard seen.insert([start, UInt32(length)]).inserted else { continue }
            blocks.append(Block(start: start, prefixLength: length, value: Int32(blocks.count)))
        }
        return blocks
    }

    /// Addresses at and beside every block edge, plus random ones.
    static func probes(_ blocks: [Block], using random: inout SplitMix64) -> [UInt32] {
        var keys: [UInt32] = [0, 1, .max, .max - 1]
        for b in blocks { keys += [b.start, b.start &- 1, b.end, b.end &+ 1] }
        for _ in 0..<2000 { keys.append(UInt32.random(in: 0...UInt32.max, using: &random)) }
        if let first = blocks.first {
            for _ in 0..<2000 { keys.append(first.start &+ UInt32.random(in: 0...0x00ff_ffff, using: &random)) }
        }
        return keys
    }

    @Test(arguments: [(1, 0x0a00_0000 as UInt32, 0x00ff_ffff as UInt32, 8...32),
                      (15, 0x0a00_0000, 0x0000_ffff, 16...32),
                      (40, 0x0a00_0000, 0x00ff_ffff, 20...32),
                      (500, 0xc0a8_0000, 0x0000_ffff, 24...32),
                      (1000, 0x0a00_0000, 0x00ff_ffff, 8...32),
                      (1000, 0, .max, 0...32)])
    func everyAddressFindsTheBlocksAScanFinds(count: Int, base: UInt32, spread: UInt32, lengths: ClosedRange<Int>) {
        var random = SplitMix64(seed: UInt64(count) &* 31 &+ UInt64(base))
        let blocks = Self.blocks(count, base: base, spread: spread, lengths: lengths, using: &random)
        let ranges = PrefixRanges(blocks)
        for key in Self.probes(blocks, using: &random) {
            let want = Self.scan(blocks, key)
            let got = Self.lookup(ranges, key)
            #expect(got == want, "\(key) in \(count) blocks")
            if got != want { return }
        }
    }

    @Test func contiguousBlocksAndTheWholeSpace() {
        // 10,000 adjacent /24s (the routing benchmark's set) inside 10.0.0.0/8, with 0.0.0.0/0 around everything.
        var blocks = (0..<10_000).map { Block(start: 0x0a00_0000 | UInt32($0) << 8, prefixLength: 24, value: Int32($0)) }
        blocks.append(Block(start: 0x0a00_0000, prefixLength: 8, value: 10_000))
        blocks.append(Block(start: 0, prefixLength: 0, value: 10_001))
        let ranges = PrefixRanges(blocks)
        func want(_ key: UInt32) -> [Int32] {
            if key >= 0x0a00_0000, key < 0x0a00_0000 + 10_000 << 8 { return [Int32((key - 0x0a00_0000) >> 8), 10_000, 10_001] }
            return key >> 24 == 10 ? [10_000, 10_001] : [10_001]
        }
        var random = SplitMix64(seed: 7)
        for key in Self.probes(blocks, using: &random) {
            #expect(Self.lookup(ranges, key) == want(key), "\(key)")
        }
    }

    @Test func ipv6BlocksWithTheDirectory() {
        typealias Block6 = PrefixRanges<UInt128>.Block
        let base: UInt128 = 0x2001_0db8 << 96
        let blocks = (0..<200).map { Block6(start: base | UInt128($0) << 64, prefixLength: 64, value: Int32($0)) }
            + [Block6(start: base, prefixLength: 32, value: 200)]
        let ranges = PrefixRanges(blocks)
        func lookup(_ key: UInt128) -> [Int32] { ranges.valueIndices(ranges.range(of: key)).map(ranges.value(at:)) }
        #expect(lookup(base | 5 << 64 | 77) == [5, 200])
        #expect(lookup(base | 199 << 64 | UInt128(UInt64.max)) == [199, 200])
        #expect(lookup(base | 200 << 64) == [200])
        #expect(lookup(base - 1).isEmpty)
        #expect(lookup(UInt128.max).isEmpty)
        #expect(lookup(0).isEmpty)
    }
}
