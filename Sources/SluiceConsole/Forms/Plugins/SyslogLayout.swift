extension PluginLayout {
    /// `syslog`: the server, the line format and APISIX's batch processor; `log_format` as JSON.
    static let syslog = PluginLayout(name: "syslog", fields: [
        Field("host", "host", hint: "the syslog server: IP address or name"),
        Field("port", "port", .number, hint: "1…65535"),
        Field("sock_type", "socket", .choice(["", "tcp", "udp"]), hint: "sock_type; empty: tcp"),
        Field("tls", "tls", .flag, hint: "TLS over tcp; empty: false"),
        Field("tls_verify", "tls verify", .flag, hint: "check the server's certificate; empty: true"),
        Field("format", "format", .choice(["", "rfc5424", "rfc3164"]), hint: "the syslog header; empty: rfc5424"),
        Field("timeout", "timeout", .number, hint: "ms a connect or send may take; empty: 3000"),
        Field("log_format", "log format", .json, hint: #"{"client": "$remote_addr", …}; empty: the access-log fields"#),
        Field("batch_max_size", "batch size", .number, hint: "batch_max_size: entries per batch; empty: 1000"),
        Field("inactive_timeout", "inactive", .number, hint: "inactive_timeout: s without entries; empty: 5"),
        Field("buffer_duration", "buffer", .number, hint: "buffer_duration: s after a batch's first; empty: 60"),
        Field("max_retry_count", "retries", .number, hint: "max_retry_count; empty: 0"),
        Field("retry_delay", "retry delay", .number, hint: "retry_delay: s; empty: 1"),
        Field("drop_limit", "drop limit", .number, hint: "bytes that may wait; empty: 1048576"),
    ])
}
