import SluiceConfig

/// The record types Sluice asks for: a node name's IPv4 and IPv6 addresses.
enum DNSRecordType: UInt16, Sendable {
    case a = 1
    case aaaa = 28
}

/// Why a DNS exchange gave no addresses.
enum DNSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name cannot be put in a query (empty label, a label over 63 bytes, over 253 bytes in all).
    case badName(String)
    /// The reply does not parse: what was wrong.
    case malformed(String)
    /// The reply has the TC bit: it did not fit a datagram (Sluice does not retry over TCP).
    case truncated
    /// The server answered with an error code (3 = no such name).
    case serverError(UInt8)
    /// The name exists but has no record of the asked type.
    case noAddresses
    /// No server answered within the resolver timeout.
    case timedOut
    /// The system resolver (getaddrinfo) failed: its message.
    case system(String)

    var description: String {
        switch self {
        case .badName(let why): "not a valid DNS name: \(why)"
        case .malformed(let why): "malformed DNS reply: \(why)"
        case .truncated: "DNS reply truncated (TC bit)"
        case .serverError(3): "no such name (NXDOMAIN)"
        case .serverError(2): "server failure (SERVFAIL)"
        case .serverError(5): "query refused (REFUSED)"
        case .serverError(let code): "DNS error code \(code)"
        case .noAddresses: "no address records"
        case .timedOut: "no DNS server answered in time"
        case .system(let message): message
        }
    }

    /// Whether the next configured server is asked: a server that answered (NXDOMAIN, no records, a malformed
    /// name) has spoken for the name; only silence, a truncated reply or a socket failure try the next one.
    var triesNextServer: Bool {
        switch self {
        case .timedOut, .truncated, .system: true
        case .badName, .malformed, .serverError, .noAddresses: false
        }
    }
}

/// The addresses of one answer and how long they may be kept (the smallest TTL of the records used).
struct DNSAnswer: Equatable, Sendable {
    var addresses: [IPAddress]
    var ttl: UInt32
}

/// DNS messages as RFC 1035 lays them out: a query for one name, and the address records of its reply.
/// Pure functions over bytes, so the parser can be unit-tested and fuzzed on its own.
enum DNSMessage {
    /// A recursive query (RD set) for `name`'s records of `type`.
    static func query(id: UInt16, name: String, type: DNSRecordType) throws(DNSError) -> [UInt8] {
        var out: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        try appendName(name, to: &out)
        out += [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xff), 0, 1]
        return out
    }

    private static func appendName(_ name: String, to out: inout [UInt8]) throws(DNSError) {
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        guard !trimmed.isEmpty, trimmed.utf8.count <= 253 else { throw .badName("length \(trimmed.utf8.count)") }
        for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count) else { throw .badName("label \"\(label)\"") }
            out.append(UInt8(bytes.count))
            out += bytes
        }
        out.append(0)
    }

    /// The records of `type` in a reply to query `id`; CNAMEs in between are followed implicitly (a recursive
    /// server puts the target's records in the same answer section).
    /// - Returns: nil when the reply is for another query (a stray or late datagram: keep waiting).
    static func answer(_ bytes: [UInt8], id: UInt16, type: DNSRecordType) -> Result<DNSAnswer, DNSError>? {
        var reader = Reader(bytes: bytes)
        do throws(DNSError) {
            guard try reader.u16() == id else { return nil }
            let flags = try reader.u16()
            guard flags & 0x8000 != 0 else { return nil } // a query, not a reply
            if flags & 0x0200 != 0 { return .failure(.truncated) }
            let code = UInt8(flags & 0x000f)
            if code != 0 { return .failure(.serverError(code)) }
            let questions = try reader.u16()
            let answers = try reader.u16()
            try reader.skip(4) // authority and additional counts: not read
            for _ in 0..<questions {
                try reader.skipName()
                try reader.skip(4)
            }
            var addresses: [IPAddress] = []
            var ttl = UInt32.max
            for _ in 0..<answers {
                try reader.skipName()
                let recordType = try reader.u16()
                _ = try reader.u16() // class
                let recordTTL = try reader.u32()
                let length = Int(try reader.u16())
                let data = Array(try reader.take(length))
                guard recordType == type.rawValue else { continue }
                switch (type, length) {
                case (.a, 4):
                    addresses.append(.v4(data.reduce(0) { $0 << 8 | UInt32($1) }))
                case (.aaaa, 16):
                    let high = data[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
                    let low = data[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
                    addresses.append(IPAddress.v6(high, low).normalized)
                default:
                    throw .malformed("a type \(recordType) record of \(length) bytes")
                }
                ttl = min(ttl, recordTTL)
            }
            guard !addresses.isEmpty else { return .failure(.noAddresses) }
            return .success(DNSAnswer(addresses: addresses, ttl: ttl))
        } catch {
            return .failure(error)
        }
    }

    /// Reads big-endian fields off the reply, every read bounds-checked.
    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ n: Int) throws(DNSError) -> ArraySlice<UInt8> {
            guard n >= 0, offset + n <= bytes.count else { throw .malformed("ends early at byte \(offset)") }
            defer { offset += n }
            return bytes[offset..<offset + n]
        }

        mutating func skip(_ n: Int) throws(DNSError) { _ = try take(n) }

        mutating func u16() throws(DNSError) -> UInt16 {
            let b = try take(2)
            return UInt16(b[b.startIndex]) << 8 | UInt16(b[b.startIndex + 1])
        }

        mutating func u32() throws(DNSError) -> UInt32 {
            UInt32(try u16()) << 16 | UInt32(try u16())
        }

        /// A name: labels up to a zero byte, or up to a compression pointer (two bytes, which end it).
        mutating func skipName() throws(DNSError) {
            var labels = 0
            while true {
                let length = try take(1).first!
                switch length >> 6 {
                case 0:
                    if length == 0 { return }
                    try skip(Int(length))
                case 3:
                    try skip(1)
                    return
                default:
                    throw .malformed("label type \(length >> 6) at byte \(offset - 1)")
                }
                labels += 1
                if labels > 127 { throw .malformed("a name of over 127 labels") }
            }
        }
    }
}
