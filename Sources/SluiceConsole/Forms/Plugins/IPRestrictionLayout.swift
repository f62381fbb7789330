extension PluginLayout {
    /// `ip-restriction`: exactly one of the two lists (the decoder says so beside the plugin when both or neither).
    static let ipRestriction = PluginLayout(name: "ip-restriction", fields: [
        Field("whitelist", "whitelist", .list, hint: "IPs/CIDRs allowed, comma-separated"),
        Field("blacklist", "blacklist", .list, hint: "IPs/CIDRs refused (403)"),
    ])
}
