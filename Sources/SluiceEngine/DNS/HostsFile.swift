import Foundation
import SluiceConfig

/// `/etc/hosts`, asked before the configured DNS servers as the system resolver would (so `localhost` and
/// names an operator pinned there keep working when `dns_resolver` is set).
enum HostsFile {
    static func read(path: String = "/etc/hosts") -> [String: [IPAddress]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        return parse(text)
    }

    /// Lines `address name [aliases…]`; `#` starts a comment; names are case-insensitive.
    static func parse(_ text: String) -> [String: [IPAddress]] {
        var names: [String: [IPAddress]] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let ip = IPAddress(String(fields[0])) else { continue }
            for name in fields.dropFirst() {
                let key = name.lowercased()
                if names[key]?.contains(ip) != true { names[key, default: []].append(ip) }
            }
        }
        return names
    }
}
