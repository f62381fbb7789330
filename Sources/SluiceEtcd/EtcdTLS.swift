import NIOCore
import NIOSSL
import SluiceConfig

/// Why the TLS settings for etcd cannot be used (a file that does not load): the gateway does not start.
public struct EtcdTLSError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// The client side of TLS to `https://` etcd members: one context for every connection, built at start from
/// `deployment.etcd.tls` and `ssl_trusted_certificate`, and the reasons a handshake failed in an operator's words.
struct EtcdTLS: Sendable {
    let context: NIOSSLContext
    let settings: EtcdTLSSettings

    /// Loads the CA bundles, the client certificate and its key.
    /// - Throws: `EtcdTLSError` naming the field and the file.
    init(_ settings: EtcdTLSSettings) throws(EtcdTLSError) {
        self.settings = settings
        var config = TLSConfiguration.makeClientConfiguration()
        if settings.verify {
            config.certificateVerification = .fullVerification
            var bundles: [NIOSSLCertificate] = []
            for path in settings.trustedCertificates {
                bundles += try Self.load("ssl_trusted_certificate", path) { try NIOSSLCertificate.fromPEMFile(path) }
            }
            if settings.systemTrust {
                config.trustRoots = .default
                if !bundles.isEmpty { config.additionalTrustRoots = [.certificates(bundles)] }
            } else {
                config.trustRoots = .certificates(bundles)
            }
        } else {
            config.certificateVerification = .none
        }
        if let cert = settings.certificate, let key = settings.key {
            config.certificateChain = try Self.load("deployment.etcd.tls.cert", cert) {
                try NIOSSLCertificate.fromPEMFile(cert)
            }.map { .certificate($0) }
            config.privateKey = .privateKey(try Self.load("deployment.etcd.tls.key", key) {
                try NIOSSLPrivateKey(file: key, format: .pem)
            })
        }
        do { context = try NIOSSLContext(configuration: config) } catch {
            throw EtcdTLSError(description: "deployment.etcd.tls: cannot be used: \(error)")
        }
    }

    private static func load<T>(_ field: String, _ path: String, _ body: () throws -> T) throws(EtcdTLSError) -> T {
        let value: T
        do { value = try body() } catch {
            throw EtcdTLSError(description: "\(field): cannot load \(path): \(error)")
        }
        if let list = value as? [NIOSSLCertificate], list.isEmpty {
            throw EtcdTLSError(description: "\(field): \(path) holds no PEM certificate")
        }
        return value
    }

    /// The handler that speaks TLS to `endpoint`: SNI and the name checked are `sni`, else the member's host
    /// name; an IP address is checked against the certificate's IP addresses and sends no SNI.
    func handler(for endpoint: EtcdSettings.Endpoint) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: serverName(endpoint))
    }

    private func serverName(_ endpoint: EtcdSettings.Endpoint) -> String? {
        settings.serverName ?? (IPAddress(endpoint.host) == nil ? endpoint.host : nil)
    }

    /// Why TLS with `endpoint` failed, for the log and the status: what the operator can act on, then the library's
    /// words.
    func why(_ error: Error, _ endpoint: EtcdSettings.Endpoint) -> String? {
        let text = "\(error)"
        let reason: String
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            let trusted = (settings.systemTrust ? ["the system's CAs"] : []) + settings.trustedCertificates
            reason = "its certificate is not signed by a trusted CA (trusted: \(trusted.joined(separator: ", ")))"
        } else if let e = error as? NIOSSLExtraError, e == .failedToValidateHostname {
            reason = "its certificate is not for \(serverName(endpoint) ?? endpoint.host)"
        } else if ["CERTIFICATE_REQUIRED", "BAD_CERTIFICATE", "UNKNOWN_CA", "HANDSHAKE_FAILURE"].contains(where: { text.contains($0) }) {
            reason = settings.certificate == nil
                ? "it asks for a client certificate and none is configured (deployment.etcd.tls.cert, key)"
                : "it refused this gateway's client certificate (\(settings.certificate ?? ""))"
        } else if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            reason = "the TLS handshake failed"
        } else {
            return nil
        }
        return "TLS with \(endpoint) failed: \(reason): \(text)"
    }
}
