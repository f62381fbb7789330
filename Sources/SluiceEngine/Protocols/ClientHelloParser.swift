/// Peeks at the first TLS record of a connection and extracts the SNI host name and ALPN protocols of the
/// ClientHello, without consuming anything — for `ssl_preread`-style passthrough routing.
///
/// Only the first record is examined: a ClientHello fragmented over several records is reported as
/// malformed. Pure and safe on hostile input.
package enum ClientHelloParser {
    /// Largest record length accepted (TLSCiphertext limit: 2^14 + 2048).
    package static let maxRecordLength = 16384 + 2048
    /// Longest SNI host name accepted.
    package static let maxServerNameLength = 255

    private static let handshakeContentType: UInt8 = 0x16
    private static let clientHelloType = 1
    private static let serverNameExtension = 0
    private static let alpnExtension = 16

    /// Parses `bytes`, the start of a connection's byte stream.
    ///
    /// `.needMoreData` while the input is a strict prefix of a possibly valid ClientHello record,
    /// `.notTLS` as soon as the record header shows it is not a TLS handshake, `.malformed` on any
    /// inconsistency, otherwise `.clientHello`.
    package static func parse(_ bytes: ArraySlice<UInt8>) -> ClientHelloParseResult {
        let available = Array(bytes.prefix(5 + maxRecordLength))
        guard let contentType = available.first else { return .needMoreData }
        guard contentType == handshakeContentType else {
            return .notTLS("not a TLS handshake record (content type \(contentType))")
        }
        if available.count > 1, available[1] != 3 {
            return .notTLS("record version major \(available[1]) is not 3")
        }
        if available.count > 2, !(1...4).contains(available[2]) {
            return .notTLS("record version 3.\(available[2]) is not TLS")
        }
        guard available.count >= 5 else { return .needMoreData }
        let recordLength = Int(available[3]) << 8 | Int(available[4])
        guard recordLength <= maxRecordLength else {
            return .malformed("record length \(recordLength) exceeds \(maxRecordLength)")
        }
        var reader = PrefixReader(bytes: available, position: 5)
        do throws(PrefixReader.Stop) {
            let (serverName, alpn) = try parseClientHello(&reader, recordEnd: 5 + recordLength)
            // Anything after the ClientHello inside the record is not examined, but the whole record must
            // have arrived, so that the verdict never depends on how the record was split into reads.
            guard available.count >= 5 + recordLength else { return .needMoreData }
            return .clientHello(serverName: serverName, alpn: alpn)
        } catch {
            switch error {
            case .needMoreData: return .needMoreData
            case .malformed(let why): return .malformed(why)
            }
        }
    }

    private static func parseClientHello(
        _ reader: inout PrefixReader,
        recordEnd: Int
    ) throws(PrefixReader.Stop) -> (String?, [String]) {
        let handshakeType = try reader.integer(1, before: recordEnd, "handshake type")
        guard handshakeType == clientHelloType else {
            throw .malformed("handshake type \(handshakeType) is not ClientHello")
        }
        let bodyLength = try reader.integer(3, before: recordEnd, "handshake length")
        guard bodyLength <= recordEnd - reader.position else {
            throw .malformed("ClientHello longer than its record (fragmented ClientHello not supported)")
        }
        let end = reader.position + bodyLength

        let legacyVersion = try reader.read(2, before: end, "legacy_version")
        guard legacyVersion.first == 3 else { throw .malformed("ClientHello legacy_version is not 3.x") }
        _ = try reader.read(32, before: end, "random")
        let sessionIDLength = try reader.integer(1, before: end, "session id length")
        guard sessionIDLength <= 32 else { throw .malformed("session id longer than 32 bytes") }
        _ = try reader.read(sessionIDLength, before: end, "session id")
        let cipherSuitesLength = try reader.integer(2, before: end, "cipher suites length")
        guard cipherSuitesLength >= 2, cipherSuitesLength % 2 == 0 else {
            throw .malformed("cipher suites length \(cipherSuitesLength) is odd or zero")
        }
        _ = try reader.read(cipherSuitesLength, before: end, "cipher suites")
        let compressionLength = try reader.integer(1, before: end, "compression methods length")
        guard compressionLength >= 1 else { throw .malformed("no compression methods") }
        _ = try reader.read(compressionLength, before: end, "compression methods")

        if reader.position == end { return (nil, []) }  // no extensions block at all
        let extensionsEnd = try reader.vectorEnd(lengthWidth: 2, before: end, "extensions")
        guard extensionsEnd == end else { throw .malformed("bytes after the extensions block") }

        var serverName: String?
        var alpn: [String] = []
        var seen: Set<Int> = []
        while reader.position < extensionsEnd {
            let type = try reader.integer(2, before: extensionsEnd, "extension type")
            let dataEnd = try reader.vectorEnd(lengthWidth: 2, before: extensionsEnd, "extension \(type)")
            guard seen.insert(type).inserted else { throw .malformed("duplicate extension \(type)") }
            switch type {
            case serverNameExtension:
                serverName = try parseServerName(&reader, end: dataEnd)
            case alpnExtension:
                alpn = try parseALPN(&reader, end: dataEnd)
            default:
                _ = try reader.read(dataEnd - reader.position, before: dataEnd, "extension \(type)")
            }
            guard reader.position == dataEnd else { throw .malformed("extension \(type) has trailing bytes") }
        }
        return (serverName, alpn)
    }

    /// server_name extension (RFC 6066 section 3): a non-empty list of (name_type, opaque name); at most one
    /// host_name, other name types skipped.
    private static func parseServerName(
        _ reader: inout PrefixReader,
        end: Int
    ) throws(PrefixReader.Stop) -> String? {
        let listEnd = try reader.vectorEnd(lengthWidth: 2, before: end, "server_name list")
        guard listEnd == end else { throw .malformed("server_name list length disagrees with extension length") }
        guard reader.position < listEnd else { throw .malformed("empty server_name list") }
        var hostName: String?
        while reader.position < listEnd {
            let nameType = try reader.integer(1, before: listEnd, "server name type")
            let nameEnd = try reader.vectorEnd(lengthWidth: 2, before: listEnd, "server name")
            let name = try reader.read(nameEnd - reader.position, before: nameEnd, "server name")
            guard nameType == 0 else { continue }
            guard hostName == nil else { throw .malformed("more than one host_name in server_name") }
            hostName = try normalizedHostName(name)
        }
        return hostName
    }

    /// Validates an SNI host_name (1…255 printable ASCII bytes, no spaces or slashes, no empty label), lower-cases
    /// it and strips one trailing dot.
    private static func normalizedHostName(_ name: ArraySlice<UInt8>) throws(PrefixReader.Stop) -> String {
        guard !name.isEmpty else { throw .malformed("empty host_name") }
        guard name.count <= maxServerNameLength else { throw .malformed("host_name longer than 255 bytes") }
        var lowered: [UInt8] = []
        lowered.reserveCapacity(name.count)
        for byte in name {
            guard byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "/") else {
                throw .malformed("host_name contains byte \(byte)")
            }
            let isUpper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
            lowered.append(isUpper ? byte | 0x20 : byte)
        }
        if lowered.last == UInt8(ascii: ".") { lowered.removeLast() }
        guard !lowered.isEmpty else { throw .malformed("host_name is only a dot") }
        // An empty label (`a..`, `.a`, `a..b`) names no host; `a..` would otherwise keep a trailing dot.
        let dot = UInt8(ascii: ".")
        guard lowered.first != dot, lowered.last != dot,
              !zip(lowered, lowered.dropFirst()).contains(where: { $0 == dot && $1 == dot }) else {
            throw .malformed("host_name has an empty label")
        }
        return String(decoding: lowered, as: UTF8.self)
    }

    /// application_layer_protocol_negotiation extension (RFC 7301): a non-empty list of non-empty names.
    private static func parseALPN(
        _ reader: inout PrefixReader,
        end: Int
    ) throws(PrefixReader.Stop) -> [String] {
        let listEnd = try reader.vectorEnd(lengthWidth: 2, before: end, "ALPN list")
        guard listEnd == end else { throw .malformed("ALPN list length disagrees with extension length") }
        guard reader.position < listEnd else { throw .malformed("empty ALPN list") }
        var protocols: [String] = []
        while reader.position < listEnd {
            let nameEnd = try reader.vectorEnd(lengthWidth: 1, before: listEnd, "ALPN protocol")
            guard nameEnd > reader.position else { throw .malformed("empty ALPN protocol name") }
            let name = try reader.read(nameEnd - reader.position, before: nameEnd, "ALPN protocol")
            protocols.append(String(decoding: name, as: UTF8.self))
        }
        return protocols
    }
}
