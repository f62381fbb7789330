import Foundation
import SluiceConfig

/// One Admin API request, independent of the HTTP codec so the API can be tested without sockets.
public struct AdminRequest: Sendable {
    /// `GET`, `PUT`, `POST`, `PATCH`, `DELETE`, …
    public var method: String
    /// The path without the query, percent-decoded per segment by `AdminRoute`.
    public var path: String
    /// Query parameters, percent-decoded; the last one wins when a name repeats.
    public var query: [String: String]
    /// Header fields, names lower-cased; repeated fields joined with ", ".
    public var headers: [String: String]
    public var body: [UInt8]
    /// The client's address, nil when unknown (then only an empty allow list would admit it — it never is).
    public var clientAddress: IPAddress?

    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = [],
                clientAddress: IPAddress? = IPAddress("127.0.0.1")) {
        self.method = method
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = parts.first.map(String.init) ?? "/"
        self.query = parts.count > 1 ? QueryString.parse(String(parts[1])) : [:]
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { "\($0), \($1)" })
        self.body = body
        self.clientAddress = clientAddress
    }

    /// A header field by lower-case name.
    public func header(_ name: String) -> String? { headers[name] }

    /// A cookie by name from the `Cookie` header.
    public func cookie(_ name: String) -> String? {
        guard let header = headers["cookie"] else { return nil }
        for pair in header.split(separator: ";") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            if kv[0].trimmingCharacters(in: .whitespaces) == name {
                return kv[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
