/// A fixed hash table from byte strings to values, looked up with a hash the caller computes while scanning a
/// name backwards — so every suffix of a name is hashed in the same single pass.
///
/// The hash is FNV-1a over the bytes taken last to first; open addressing with linear probing, at most half full.
/// Keys come from the configuration, never from the connection.
struct NameTable: Sendable {
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Adds the byte before the part already hashed.
    @inline(__always)
    static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 { (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }

    static func hash<Bytes: BidirectionalCollection<UInt8>>(_ key: Bytes) -> UInt64 {
        key.reversed().reduce(seed, step)
    }

    /// Entry index per slot, -1 for an empty slot.
    private let slots: [Int32]
    private let hashes: [UInt64]
    /// Key `i` is `keyBytes[keyStarts[i]..<keyStarts[i + 1]]`.
    private let keyStarts: [Int32]
    private let keyBytes: [UInt8]
    private let values: [Int32]

    /// - Parameter entries: distinct keys.
    init(_ entries: [(key: [UInt8], value: Int32)]) {
        var size = 1
        while size < entries.count * 2 { size <<= 1 }
        var slots = [Int32](repeating: -1, count: size)
        var hashes: [UInt64] = []
        var keyStarts: [Int32] = [0]
        var keyBytes: [UInt8] = []
        for (i, entry) in entries.enumerated() {
            let hash = Self.hash(entry.key)
            var slot = Self.slot(hash, size)
            while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(i)
            hashes.append(hash)
            keyBytes.append(contentsOf: entry.key)
            keyStarts.append(Int32(keyBytes.count))
        }
        self.slots = slots
        self.hashes = hashes
        self.keyStarts = keyStarts
        self.keyBytes = keyBytes
        values = entries.map(\.value)
    }

    /// The value stored for `key`, whose `hash(_:)` is `hash`.
    func value(hash: UInt64, key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard !values.isEmpty else { return nil }
        var slot = Self.slot(hash, slots.count)
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if hashes[entry] == hash, equal(entry, key) { return values[entry] }
            slot = (slot + 1) & (slots.count - 1)
        }
    }

    private func equal(_ entry: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(keyStarts[entry])
        guard Int(keyStarts[entry + 1]) - start == key.count else { return false }
        for i in 0..<key.count where keyBytes[start + i] != key[i] { return false }
        return true
    }

    /// The home slot of `hash` in a table of `size` (a power of two), after a final mix (murmur3's).
    private static func slot(_ hash: UInt64, _ size: Int) -> Int {
        var h = hash
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return Int(truncatingIfNeeded: h) & (size - 1)
    }
}
