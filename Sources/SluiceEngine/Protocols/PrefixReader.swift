/// Cursor over the first bytes of a connection received so far, used by the preread parsers
/// (`ClientHelloParser`, `MQTTConnectParser`).
///
/// Every read names the end of the enclosing structure as declared by its length field. Reading past that
/// end is a malformed message; reading past the bytes received so far only means more data is needed.
struct PrefixReader {
    /// Why reading stopped.
    enum Stop: Error, Equatable {
        /// The bytes so far end inside the structure being read.
        case needMoreData
        /// A length field is inconsistent with its enclosing structure.
        case malformed(String)
    }

    /// The bytes received so far (indices from 0).
    let bytes: [UInt8]
    /// Index of the next unread byte.
    private(set) var position: Int

    /// A reader over `bytes` starting at `position`.
    init(bytes: [UInt8], position: Int) {
        self.bytes = bytes
        self.position = position
    }

    /// Reads `count` bytes that must lie before `end` (the declared end of the enclosing structure).
    mutating func read(_ count: Int, before end: Int, _ what: String) throws(Stop) -> ArraySlice<UInt8> {
        guard count >= 0, position <= end, count <= end - position else {
            throw .malformed("\(what) overruns its enclosing length")
        }
        guard position <= bytes.count, count <= bytes.count - position else { throw .needMoreData }
        let start = position
        position = start + count
        return bytes[start..<position]
    }

    /// Reads one byte that must lie before `end`.
    mutating func byte(before end: Int, _ what: String) throws(Stop) -> UInt8 {
        try read(1, before: end, what).first ?? 0
    }

    /// Reads a big-endian unsigned integer of `width` (1…3) bytes.
    mutating func integer(_ width: Int, before end: Int, _ what: String) throws(Stop) -> Int {
        let field = try read(width, before: end, what)
        var value = 0
        for byte in field {
            value = value << 8 | Int(byte)
        }
        return value
    }

    /// Reads a `width`-byte length prefix and returns where the vector it announces ends, checking that it
    /// fits inside `end`.
    mutating func vectorEnd(lengthWidth width: Int, before end: Int, _ what: String) throws(Stop) -> Int {
        let length = try integer(width, before: end, "\(what) length")
        guard length <= end - position else { throw .malformed("\(what) overruns its enclosing length") }
        return position + length
    }
}
