import Foundation

/// What can be checked of an ssl's certificate and key without a TLS library: complete PEM blocks of the right
/// labels with a base64 body. Whether the key really matches the certificate (and that the certificate parses)
/// will be checked when TLS support (swift-nio-ssl) lands; until then a mismatched pair is accepted here.
enum PEMShape {
    /// Refuses an ssl object whose `cert` or `key` is not a complete PEM block, with paths under `path`
    /// (`ssls[2].cert`).
    static func check(_ value: ConfigValue, path: String) throws(StoreError) {
        let found = problems(cert: value["cert"]?.stringValue, key: value["key"]?.stringValue)
        if found.isEmpty { return }
        throw .invalid(ConfigErrors(found.map { ConfigError(path: "\(path).\($0.0)", message: $0.1) }))
    }

    /// Problems as `(field, why)`; empty when both look right (or are absent: the validator reports that).
    static func problems(cert: String?, key: String?) -> [(String, String)] {
        var out: [(String, String)] = []
        if let cert, !hasBlock(cert, labels: ["CERTIFICATE"]) {
            out.append(("cert", "must be a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)"))
        }
        if let key, !hasBlock(key, labels: ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]) {
            out.append(("key", "must be a PEM private key (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----)"))
        }
        return out
    }

    /// Whether `text` holds a `BEGIN label` … `END label` block whose body is non-empty base64.
    static func hasBlock(_ text: String, labels: [String]) -> Bool {
        for label in labels {
            let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
            guard let b = text.range(of: begin), let e = text.range(of: end, range: b.upperBound..<text.endIndex) else {
                continue
            }
            let body = text[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
            let base64 = body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) }
            if !body.isEmpty && base64 { return true }
        }
        return false
    }
}
