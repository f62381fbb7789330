/// APISIX's `ip-restriction` for stream routes: a client whose address (`$remote_addr`, the PROXY-protocol
/// address where trusted) is outside `whitelist` or inside `blacklist` is closed before anything is forwarded.
public struct IPRestrictionConfig: Sendable, Hashable {
    static let name = "ip-restriction"

    /// Which list the addresses are.
    public enum Mode: Sendable, Hashable {
        case whitelist
        case blacklist
    }

    public var mode: Mode
    public var addresses: [CIDR]
    /// APISIX's `message`: HTTP sends it as the body; a stream connection has no body, so Sluice writes it to the
    /// engine log with the refusal (APISIX's stream subsystem drops it).
    public var message: String

    static func decode(_ r: inout FieldReader) -> IPRestrictionConfig? {
        let white = addresses(&r, "whitelist")
        let black = addresses(&r, "blacklist")
        let message = r.string("message", maxLength: 1024)
        if message?.isEmpty == true { r.report("message", "must not be empty") }
        if let code = r.int("response_code", in: 403...404), code != 403 {
            r.report("response_code", "a stream connection is refused with status 403; got \(code)")
        }
        r.rejectUnknownFields()
        let mode: Mode
        let list: [CIDR]?
        switch (white, black) {
        case (let w?, nil): (mode, list) = (.whitelist, w)
        case (nil, let b?): (mode, list) = (.blacklist, b)
        case (nil, nil):
            r.problems.add(r.path, "must have one of whitelist or blacklist", line: r.value.line)
            return nil
        case (.some, .some):
            r.problems.add(r.path, "must have only one of whitelist or blacklist, not both", line: r.value.line)
            return nil
        }
        guard let list, !list.isEmpty else { return nil }
        return IPRestrictionConfig(mode: mode, addresses: list,
                                   message: message ?? "Your IP address is not allowed")
    }

    /// A list of IPv4/IPv6 addresses and CIDRs, at least one; `[]` marks a list present but invalid.
    private static func addresses(_ r: inout FieldReader, _ key: String) -> [CIDR]? {
        guard let v = r.raw(key) else { return nil }
        guard case .list(let items) = v.kind else {
            r.report(key, "must be a list of IP addresses or CIDRs, got \(v.typeName)")
            return []
        }
        if items.isEmpty { r.report(key, "must have at least 1 item") }
        var out: [CIDR] = []
        var valid = !items.isEmpty
        for (i, item) in items.enumerated() {
            if let text = item.stringValue, let cidr = CIDR(text) {
                out.append(cidr)
            } else {
                valid = false
                r.problems.add(FieldPath.index(r.child(key), i),
                               "must be an IP address or CIDR, got \(item.shortDescription)", line: item.line ?? v.line)
            }
        }
        return valid ? out : []
    }
}
