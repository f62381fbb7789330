/// Builds TLS ClientHello records by hand for `ClientHelloParser` tests.
struct ClientHelloTestBuilder {
    var contentType: UInt8 = 0x16
    var recordVersion: [UInt8] = [3, 1]
    var handshakeType: UInt8 = 1
    var legacyVersion: [UInt8] = [3, 3]
    var random: [UInt8] = (0..<32).map { UInt8($0) }
    var sessionID: [UInt8] = []
    var cipherSuites: [UInt8] = [0x13, 0x01, 0xC0, 0x2F]
    var compression: [UInt8] = [0]
    /// nil omits the extensions block entirely.
    var extensions: [(type: UInt16, data: [UInt8])]? = []
    /// Overrides for length fields, to build inconsistent messages.
    var recordLengthOverride: Int?
    var handshakeLengthOverride: Int?
    var extensionsLengthOverride: Int?
    var sessionIDLengthOverride: Int?
    var cipherSuitesLengthOverride: Int?

    static func u16(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func u24(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 16)] + u16(value)
    }

    /// server_name extension data holding the given (name_type, name) entries.
    static func serverNameData(_ entries: [(UInt8, [UInt8])], listLengthOverride: Int? = nil) -> [UInt8] {
        let list = entries.flatMap { [$0.0] + u16($0.1.count) + $0.1 }
        return u16(listLengthOverride ?? list.count) + list
    }

    /// server_name extension with one host_name.
    static func serverName(_ host: String) -> (type: UInt16, data: [UInt8]) {
        (0, serverNameData([(0, Array(host.utf8))]))
    }

    /// ALPN extension data listing `protocols`.
    static func alpnData(_ protocols: [String], listLengthOverride: Int? = nil) -> [UInt8] {
        let list = protocols.flatMap { [UInt8(truncatingIfNeeded: $0.utf8.count)] + Array($0.utf8) }
        return u16(listLengthOverride ?? list.count) + list
    }

    /// ALPN extension.
    static func alpn(_ protocols: [String]) -> (type: UInt16, data: [UInt8]) {
        (16, alpnData(protocols))
    }

    /// The handshake message (type, 3-byte length, body).
    func handshake() -> [UInt8] {
        var body = legacyVersion + random
        body += [UInt8(truncatingIfNeeded: sessionIDLengthOverride ?? sessionID.count)] + sessionID
        body += Self.u16(cipherSuitesLengthOverride ?? cipherSuites.count) + cipherSuites
        body += [UInt8(truncatingIfNeeded: compression.count)] + compression
        if let extensions {
            let block = extensions.flatMap { Self.u16(Int($0.type)) + Self.u16($0.data.count) + $0.data }
            body += Self.u16(extensionsLengthOverride ?? block.count) + block
        }
        return [handshakeType] + Self.u24(handshakeLengthOverride ?? body.count) + body
    }

    /// The whole record.
    func record() -> [UInt8] {
        let message = handshake()
        return [contentType] + recordVersion + Self.u16(recordLengthOverride ?? message.count) + message
    }

    /// A TLS 1.3-style ClientHello: 32-byte session id, supported_versions, key_share, plus `extra` extensions.
    static func tls13(_ extra: [(type: UInt16, data: [UInt8])]) -> ClientHelloTestBuilder {
        var builder = ClientHelloTestBuilder()
        builder.sessionID = [UInt8](repeating: 0xAB, count: 32)
        builder.cipherSuites = [0x13, 0x01, 0x13, 0x02, 0x13, 0x03]
        builder.extensions =
            [
                (0x0A0A, []),  // GREASE
                (10, u16(4) + [0x00, 0x1D, 0x00, 0x17]),  // supported_groups
                (13, u16(4) + [0x04, 0x03, 0x08, 0x04]),  // signature_algorithms
                (43, [2, 0x03, 0x04]),  // supported_versions: TLS 1.3
                (45, [1, 1]),  // psk_key_exchange_modes
                (51, u16(36) + [0x00, 0x1D] + u16(32) + [UInt8](repeating: 7, count: 32)),  // key_share x25519
            ] + extra + [(0x1A1A, [0])]
        return builder
    }

    /// A TLS 1.2-style ClientHello: no session id, ec_point_formats and renegotiation_info, plus `extra`.
    static func tls12(_ extra: [(type: UInt16, data: [UInt8])]) -> ClientHelloTestBuilder {
        var builder = ClientHelloTestBuilder()
        builder.recordVersion = [3, 3]
        builder.cipherSuites = [0xC0, 0x2B, 0xC0, 0x2F, 0x00, 0x9E, 0x00, 0xFF]
        builder.extensions = extra + [(11, [1, 0]), (0xFF01, [0])]
        return builder
    }
}
