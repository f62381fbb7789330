extension PluginLayout {
    /// `limit-conn`: concurrent connections per route and key.
    static let limitConn = PluginLayout(name: "limit-conn", fields: [
        Field("conn", "conn", .number, hint: "connections at once, > 0"),
        Field("burst", "burst", .number, hint: "delayed beyond conn, >= 0"),
        Field("default_conn_delay", "default delay", .number, hint: "default_conn_delay: seconds, > 0"),
        Field("key_type", "key type", .choice(["", "var", "var_combination"]), hint: "empty: var"),
        Field("key", "key", hint: "remote_addr · \"$remote_addr $server_port\""),
        Field("only_use_default_delay", "only default", .flag, hint: "only_use_default_delay; empty: false"),
    ])
}
