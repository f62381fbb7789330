extension PluginLayout {
    /// `traffic-split`: its rules nest (match expressions, weighted upstreams), so they are one JSON field.
    static let trafficSplit = PluginLayout(name: "traffic-split", fields: [
        Field("rules", "rules", .json,
              hint: #"[{"match": [{"vars": [["remote_addr", "ipmatch", "10.0.0.0/8"]]}], "weighted_upstreams": […]}]"#),
    ])
}
