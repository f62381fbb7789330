import Foundation
import NIOSSL
import SluiceConfig

/// What an operator checks on a certificate: whom it names (subject, SANs) and until when it is valid.
package struct CertificateFacts: Sendable, Equatable {
    /// The subject's attributes, `CN=example.com, O=Example`.
    package var subject: String
    /// The DNS names and IP addresses of the subjectAltName extension.
    package var alternativeNames: [String]
    package var notAfter: Date

    /// Below this many days to expiry the console warns.
    package static let warnDays = 30

    /// The first (leaf) certificate of a PEM chain; nil when it does not parse.
    package init?(pem: String) {
        guard let leaf = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)).first else { return nil }
        subject = leaf.subjectName.map { "\(Self.short($0.type))=\($0.value)" }.joined(separator: ", ")
        alternativeNames = leaf._subjectAlternativeNames().compactMap { name -> String? in
            switch name.nameType {
            case .dnsName: String(decoding: name.contents, as: UTF8.self)
            case .ipAddress: Self.ip(Array(name.contents))
            default: nil
            }
        }
        notAfter = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
    }

    /// Whole days from `now` to expiry (negative once expired).
    package func daysLeft(at now: Date) -> Int { Int((notAfter.timeIntervalSince(now) / 86400).rounded(.down)) }

    /// An IP SAN's 4 or 16 bytes as text.
    private static func ip(_ bytes: [UInt8]) -> String? {
        let value = { (part: ArraySlice<UInt8>) in part.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        switch bytes.count {
        case 4: return IPAddress.v4(UInt32(value(bytes[0..<4]))).description
        case 16: return IPAddress.v6(value(bytes[0..<8]), value(bytes[8..<16])).description
        default: return nil
        }
    }

    private static func short(_ type: SSLCertificateNameType) -> String {
        switch type {
        case .commonName: "CN"
        case .organization: "O"
        case .organizationalUnit: "OU"
        case .country: "C"
        case .state: "ST"
        case .city: "L"
        case .emailAddress: "emailAddress"
        case .userId: "UID"
        default: "?"
        }
    }
}
