/// A hash that is the same in every process and on every platform (unlike `Hasher`, which is
/// seeded per process): FNV-1a 64 over UTF-8, then a MurmurHash3 finaliser so that similar
/// keys ("10.0.0.1", "10.0.0.2") spread over the whole ring.
enum StableHash {
    /// Plain FNV-1a 64 of the UTF-8 bytes.
    static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// FNV-1a 64 followed by the MurmurHash3 64-bit finaliser.
    static func hash(_ text: String) -> UInt64 {
        var h = fnv1a64(text)
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h &*= 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}
