import NIOSSL
import SluiceConfig

/// The TLS client context for an upstream with `scheme: tls`.
enum UpstreamTLSContext {
    /// - Throws: when a PEM in `tls` does not parse.
    static func make(_ tls: UpstreamTLS) throws -> NIOSSLContext {
        var config = TLSConfiguration.makeClientConfiguration()
        if tls.verify {
            config.certificateVerification = .fullVerification
            if let ca = tls.ca { config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8))) }
        } else {
            config.certificateVerification = .none
        }
        if let cert = tls.clientCert, let key = tls.clientKey {
            config.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(cert.utf8)).map { .certificate($0) }
            config.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
        }
        return try NIOSSLContext(configuration: config)
    }

    /// The name to send: the client's own SNI when it spoke TLS, else `tls.sni`, else the node's host if it is a
    /// name (an IP address cannot be sent as SNI).
    static func serverName(clientSNI: String?, tls: UpstreamTLS, nodeHost: String) -> String? {
        if let clientSNI { return clientSNI }
        if let sni = tls.sni { return sni }
        return IPAddress(nodeHost) == nil ? nodeHost : nil
    }
}
