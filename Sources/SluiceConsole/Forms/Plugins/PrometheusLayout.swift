extension PluginLayout {
    /// `prometheus`: the route's series carry its name instead of its id when asked.
    static let prometheus = PluginLayout(name: "prometheus", fields: [
        Field("prefer_name", "prefer name", .flag, hint: "route label: its name; empty: false (the id)"),
    ])
}
