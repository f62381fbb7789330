/// A host (IP address or DNS name) and a port, as written in `"127.0.0.1:6379"` or `"[::1]:6379"`.
public struct HostPort: Hashable, Sendable, CustomStringConvertible {
    /// The host without brackets: `"::1"`, `"127.0.0.1"`, `"example.com"`.
    public let host: String
    /// 1…65535 when parsed.
    public let port: Int

    /// Makes a value as is, without checking.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `"127.0.0.1:6379"`, `"[::1]:6379"` or `"example.com:80"`. An IPv6 host must be in
    /// brackets (a zone inside them is kept: `"[fe80::1%eth0]:80"`); the port must be 1…65535.
    public static func parse(_ text: String) -> Result<HostPort, HostPortError> {
        let host: Substring
        let rest: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.badIPv6Brackets(text)) }
            host = text[text.index(after: text.startIndex)..<close]
            rest = text[text.index(after: close)...]
            if host.isEmpty { return .failure(.emptyHost(text)) }
            guard host.contains(":"), !host.contains("]"), IPTextParser.ipv6(Array(host.utf8)[...]) != nil else {
                return .failure(.badIPv6Brackets(text))
            }
            if rest.isEmpty { return .failure(.missingPort(text)) }
            guard rest.hasPrefix(":") else { return .failure(.badIPv6Brackets(text)) }
        } else {
            if text.contains("[") || text.contains("]") { return .failure(.badIPv6Brackets(text)) }
            guard let colon = text.lastIndex(of: ":") else { return .failure(.missingPort(text)) }
            host = text[..<colon]
            rest = text[colon...]
            if host.contains(":") { return .failure(.badIPv6Brackets(text)) }
            if host.isEmpty { return .failure(.emptyHost(text)) }
        }
        let portText = String(rest.dropFirst())
        if portText.isEmpty { return .failure(.missingPort(text)) }
        switch PortRange.port(portText) {
        case .success(let port): return .success(HostPort(host: String(host), port: port))
        case .failure(let error): return .failure(error)
        }
    }

    /// `host:port`, with an IPv6 host in brackets: `[::1]:6379`. The one place addresses are written this way.
    public var description: String {
        // A byte scan: `String.contains(String)` goes through Foundation, and this runs per connection.
        host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
