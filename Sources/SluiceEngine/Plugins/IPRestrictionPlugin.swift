import SluiceConfig

/// `ip-restriction` (APISIX priority 3000, access phase): refuses a client whose address is outside the
/// whitelist or inside the blacklist — status 403, reason `ip_restricted`, nothing forwarded.
struct IPRestrictionPlugin: StreamPlugin {
    let name = "ip-restriction"
    let priority = 3000
    let phases: PluginPhases = [.access]
    let config: IPRestrictionConfig

    func access(_ session: inout PluginSession) -> AccessVerdict {
        guard let ip = session.facts.remoteAddress else {
            return .refuse(.ipRestricted, why: "\(config.message): the client address is unknown")
        }
        let listed = config.addresses.contains { $0.contains(ip) }
        switch (config.mode, listed) {
        case (.whitelist, true), (.blacklist, false): return .allow
        case (.whitelist, false): return .refuse(.ipRestricted, why: "\(config.message): \(ip) is not in the whitelist")
        case (.blacklist, true): return .refuse(.ipRestricted, why: "\(config.message): \(ip) is in the blacklist")
        }
    }
}
