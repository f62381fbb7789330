import Logging
import NIOSSL
import SluiceConfig

/// The TLS server contexts of the `ssls` objects, by SNI: an exact name beats `*.example.com`, which covers
/// exactly one label. Built once per configuration snapshot; contexts of unchanged objects are reused.
package final class CertificateStore: Sendable {
    private struct Entry: Sendable {
        let ssl: SSLCertificate
        let context: NIOSSLContext
    }

    private let byName: [String: Entry]
    private let entries: [String: Entry]

    /// - Parameter previous: the store of the last snapshot, whose contexts are reused when unchanged.
    init(_ ssls: [SSLCertificate], previous: CertificateStore?, logger: Logger) {
        var entries: [String: Entry] = [:]
        var byName: [String: Entry] = [:]
        for ssl in ssls where ssl.enabled {
            let entry: Entry
            if let old = previous?.entries[ssl.id], old.ssl == ssl {
                entry = old
            } else {
                do {
                    entry = Entry(ssl: ssl, context: try Self.makeContext(ssl))
                } catch {
                    logger.error("Certificate not usable; its names get no TLS", metadata: ["ssl.id": "\(ssl.id)", "error": "\(error)"])
                    continue
                }
            }
            entries[ssl.id] = entry
            for name in ssl.snis where byName[name] == nil { byName[name] = entry }
        }
        self.entries = entries
        self.byName = byName
    }

    static func makeContext(_ ssl: SSLCertificate) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(ssl.cert.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(bytes: Array(ssl.key.utf8), format: .pem)
        var config = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        if let ca = ssl.clientCA {
            config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
            config.certificateVerification = .noHostnameVerification
        }
        let versions = ssl.protocols.compactMap(Self.version)
        if let low = versions.min(by: { $0.rank < $1.rank }) { config.minimumTLSVersion = low }
        if let high = versions.max(by: { $0.rank < $1.rank }) { config.maximumTLSVersion = high }
        return try NIOSSLContext(configuration: config)
    }

    private static func version(_ name: String) -> TLSVersion? {
        switch name {
        case "TLSv1.1": .tlsv11
        case "TLSv1.2": .tlsv12
        case "TLSv1.3": .tlsv13
        default: nil
        }
    }

    /// The context for a ClientHello's server name, nil when none matches (or the client sent no name).
    package func context(for serverName: String?) -> NIOSSLContext? {
        guard var name = serverName?.lowercased(), !name.isEmpty else { return nil }
        if name.hasSuffix(".") { name.removeLast() }
        if let exact = byName[name] { return exact.context }
        guard let dot = name.firstIndex(of: ".") else { return nil }
        return byName["*" + name[dot...]]?.context
    }
}

private extension TLSVersion {
    var rank: Int {
        switch self {
        case .tlsv1: 0
        case .tlsv11: 1
        case .tlsv12: 2
        case .tlsv13: 3
        }
    }
}
