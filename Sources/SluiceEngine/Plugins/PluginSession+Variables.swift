extension PluginSession {
    /// A stream variable as APISIX's `ctx.var` gives it: `remote_addr`, `remote_port`, `server_addr`,
    /// `server_port`, `route_id`, or one the session holds (`ssl_server_name`, `mqtt_client_id` …); nil when the
    /// session does not have it.
    func value(of name: String) -> String? {
        switch name {
        case "remote_addr": facts.remoteAddress?.description
        case "remote_port": String(facts.clientPort)
        case "server_addr": facts.serverAddress?.description
        case "server_port": String(facts.serverPort)
        case "route_id": routeID
        default: variables[name]
        }
    }
}
