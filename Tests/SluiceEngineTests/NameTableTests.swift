import Testing
@testable import SluiceEngine

/// `NameTable` against a dictionary: every key found with its value, every other string (other lengths, the same
/// length, 63 bytes and more) not found.
struct NameTableTests {
    static func lookup(_ table: NameTable, _ key: String) -> Int32? {
        let bytes = Array(key.utf8)
        return bytes.withUnsafeBufferPointer { table.value(hash: NameTable.hash(bytes), key: $0) }
    }

    @Test func findsExactlyItsKeys() {
        var random = SplitMix64(seed: 0x7ab1e)
        var keys: [String: Int32] = [:]
        for length in [1, 2, 5, 12, 19, 20, 40, 62, 63, 64, 90, 200] {
            for _ in 0..<30 {
                let key = String((0..<length).map { _ in "abc.-xyz0".randomElement(using: &random)! })
                keys[key] = keys[key] ?? Int32(keys.count)
            }
        }
        let table = NameTable(keys.map { (key: Array($0.key.utf8), value: $0.value) })
        for (key, value) in keys { #expect(Self.lookup(table, key) == value, "\(key)") }
        for length in [0, 3, 7, 12, 19, 41, 63, 64, 65, 100, 200, 300] {
            for _ in 0..<50 {
                let probe = String((0..<length).map { _ in "abc.-xyz0".randomElement(using: &random)! })
                #expect(Self.lookup(table, probe) == keys[probe], "\(probe)")
            }
        }
        #expect(Self.lookup(NameTable([]), "a") == nil)
        #expect(Self.lookup(NameTable([]), "") == nil)
    }
}
