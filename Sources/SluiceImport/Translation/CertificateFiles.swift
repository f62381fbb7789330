import Foundation
import NIOSSL

/// Reads the PEM files a configuration names (`ssl_certificate`, `ssl_certificate_key`,
/// `proxy_ssl_trusted_certificate`): a relative path is looked up beside the main file first (nginx's prefix is
/// usually its folder), then beside the file that names it.
struct CertificateFiles {
    /// The folder of the main configuration file.
    let baseDirectory: String

    /// The file's text, or nil (with a note) when it cannot be read or uses variables.
    func read(_ d: NginxDirective, notes: ImportNotes) -> String? {
        guard d.args.count == 1 else {
            notes.add(d, .notTranslated, "expects one file name")
            return nil
        }
        let name = d.args[0]
        if name.contains("$") || name.hasPrefix("data:") {
            notes.add(d, .notTranslated, "Sluice reads certificates from files, not variables")
            return nil
        }
        let candidates = name.hasPrefix("/") ? [name] : [
            (baseDirectory as NSString).appendingPathComponent(name),
            ((d.location.file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name),
        ]
        for path in candidates {
            if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
                return text
            }
        }
        notes.add(d, .notTranslated, "cannot read \(candidates[0])")
        return nil
    }

    /// The DNS names of a PEM certificate (its first certificate's subjectAltName), lower-cased, in order.
    static func dnsNames(pem: String) -> [String] {
        guard let cert = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)).first else { return [] }
        var names: [String] = []
        for san in cert._subjectAlternativeNames() where san.nameType == .dnsName {
            let name = san.contents.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }.lowercased()
            if !names.contains(name) { names.append(name) }
        }
        return names
    }
}
