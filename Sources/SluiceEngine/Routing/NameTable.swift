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

    /// One slot of the table, 8 bytes: the entry there (-1: empty) and 32 bits of its key's hash, so a probe
    /// that meets another key reads nothing else.
    private struct Slot {
        var tag: UInt32 = 0
        var entry: Int32 = -1
    }

    /// A key, `keyBytes[keyStart..<keyStart + keyLength]`, and its value.
    private struct Entry {
        var keyStart: Int32
        var keyLength: Int32
        var value: Int32
    }

    private let slots: [Slot]
    private let entries: [Entry]
    private let keyBytes: [UInt8]

    /// - Parameter entries: distinct keys.
    init(_ entries: [(key: [UInt8], value: Int32)]) {
        var size = 1
        while size < entries.count * 2 { size <<= 1 }
        var slots = [Slot](repeating: Slot(), count: size)
        var stored: [Entry] = []
        var keyBytes: [UInt8] = []
        for entry in entries {
            let hash = Self.hash(entry.key)
            var slot = Self.slot(hash, size)
            while slots[slot].entry >= 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Slot(tag: Self.tag(hash), entry: Int32(stored.count))
            stored.append(Entry(keyStart: Int32(keyBytes.count), keyLength: Int32(entry.key.count), value: entry.value))
            keyBytes.append(contentsOf: entry.key)
        }
        self.slots = slots
        self.entries = stored
        self.keyBytes = keyBytes
    }

    /// The value stored for `key`, whose `hash(_:)` is `hash`.
    func value(hash: UInt64, key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard !entries.isEmpty else { return nil }
        let tag = Self.tag(hash)
        var index = Self.slot(hash, slots.count)
        while true {
            let slot = slots[index]
            if slot.entry < 0 { return nil }
            if slot.tag == tag {
                let entry = entries[Int(slot.entry)]
                if equal(entry, key) { return entry.value }
            }
            index = (index + 1) & (slots.count - 1)
        }
    }

    private func equal(_ entry: Entry, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard Int(entry.keyLength) == key.count else { return false }
        let start = Int(entry.keyStart)
        for i in 0..<key.count where keyBytes[start + i] != key[i] { return false }
        return true
    }

    /// The hash bits a slot keeps: the high half, which `slot(_:_:)`'s index (taken from the low bits of a mix)
    /// does not already tell.
    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 32) }

    /// The home slot of `hash` in a table of `size` (a power of two), after a final mix (murmur3's).
    private static func slot(_ hash: UInt64, _ size: Int) -> Int {
        var h = hash
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return Int(truncatingIfNeeded: h) & (size - 1)
    }
}
