import SluiceConfig

/// Builds one session's syslog entry as JSON: from the route's `log_format` (APISIX's `$var` object, compiled once
/// per snapshot), or — without one — from the access-log record's fields, typed (numbers as numbers).
///
/// Either way the entry carries `route_id` and `service_id`, as APISIX adds them. A `$variable` that has no value
/// leaves its key out, as APISIX's does; values are strings, as nginx variables are.
struct SyslogEntry: Sendable {
    /// One compiled `log_format` field.
    private indirect enum Field: Sendable {
        /// An access-log variable, rendered by its one-variable format.
        case record(AccessLogVariable, AccessLogFormat)
        /// A session variable a plugin set (`mqtt_client_id`, `limit_conn_key`, `ssl_server_name` …).
        case session(String)
        case literal(ConfigValue)
        case object([(String, Field)])
    }

    private let fields: [(String, Field)]?
    private let serviceID: String?

    init(logFormat: [LogFormatField]?, serviceID: String?) {
        fields = logFormat.map(Self.compile)
        self.serviceID = serviceID
    }

    /// The entry of a finished session, as compact JSON.
    func json(_ record: AccessLogRecord, session: PluginSession) -> String {
        var entries: [(String, ConfigValue)]
        if let fields {
            entries = Self.render(fields, record, session)
        } else {
            entries = Self.accessLogFields(record)
        }
        entries.removeAll { $0.0 == "route_id" || $0.0 == "service_id" }
        if let route = record.routeID { entries.append(("route_id", .string(route))) }
        if let serviceID { entries.append(("service_id", .string(serviceID))) }
        return ConfigValue.map(entries).jsonText()
    }

    private static func compile(_ format: [LogFormatField]) -> [(String, Field)] {
        format.map { field in
            switch field.value {
            case .variable(let name):
                // `mqtt_client_id` stays the session's variable: the plugin set it, and JSON escapes it as it is.
                if let variable = AccessLogVariable(named: name), variable != .mqttClientID,
                   let one = try? AccessLogFormat("${\(name)}") {
                    return (field.key, .record(variable, one))
                }
                return (field.key, .session(name))
            case .literal(let literal): return (field.key, .literal(value(literal)))
            case .object(let nested): return (field.key, .object(compile(nested)))
            }
        }
    }

    private static func value(_ literal: LogFormatField.Literal) -> ConfigValue {
        switch literal {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): ConfigValue(.double(d))
        case .string(let s): .string(s)
        }
    }

    private static func render(_ fields: [(String, Field)], _ record: AccessLogRecord,
                               _ session: PluginSession) -> [(String, ConfigValue)] {
        fields.compactMap { key, field in
            switch field {
            case .record(let variable, let format):
                return isAbsent(variable, in: record) ? nil : (key, .string(format.render(record)))
            case .session(let name): return session.variables[name].map { (key, .string($0)) }
            case .literal(let v): return (key, v)
            case .object(let nested): return (key, .map(render(nested, record, session)))
            }
        }
    }

    /// Whether the variable has no value for this session (the access log shows `-` for these).
    private static func isAbsent(_ variable: AccessLogVariable, in r: AccessLogRecord) -> Bool {
        switch variable {
        case .remoteAddr: r.remoteAddr.isEmpty || r.remoteAddr == "-"
        case .serverAddr: r.serverAddr.isEmpty || r.serverAddr == "-"
        case .protocol: r.transport.isEmpty
        case .upstreamAddr: r.upstreamAddr == nil && r.upstreamAddrsTried.isEmpty
        case .upstreamConnectTime: r.upstreamConnectTime == nil
        case .routeID: r.routeID == nil
        case .closeReason: r.closeReason.isEmpty
        case .sslServerName: r.sslServerName == nil
        case .sslProtocol: r.sslProtocol == nil
        case .sslCipher: true
        case .proxyProtocolAddr, .proxyProtocolPort: r.proxyProtocolSource == nil
        case .proxyProtocolServerAddr, .proxyProtocolServerPort: r.proxyProtocolDestination == nil
        case .realipRemoteAddr: r.realipRemote == nil && isAbsent(.remoteAddr, in: r)
        case .hostname: AccessLogVariable.hostName == "-"
        case .mqttClientID: r.mqttClientID == nil
        case .remotePort, .serverPort, .realipRemotePort, .status, .bytesSent, .bytesReceived, .sessionTime, .upstreamBytesSent,
             .upstreamBytesReceived, .timeLocal, .timeISO8601, .msec, .connection, .pid:
            false
        }
    }

    /// Sluice's default entry: the access-log record, absent values left out.
    private static func accessLogFields(_ r: AccessLogRecord) -> [(String, ConfigValue)] {
        func seconds(_ s: Double) -> ConfigValue {
            ConfigValue(.double(Double(max(0, AccessLogVariable.milliseconds(s))) / 1000))
        }
        var out: [(String, ConfigValue)] = [
            ("remote_addr", .string(r.remoteAddr)), ("remote_port", .int(r.remotePort)),
            ("server_addr", .string(r.serverAddr)), ("server_port", .int(r.serverPort)),
            ("protocol", .string(r.transport)), ("status", .int(r.status)),
            ("bytes_sent", .int(Int(clamping: r.bytesSent))), ("bytes_received", .int(Int(clamping: r.bytesReceived))),
            ("session_time", seconds(r.end.timeIntervalSince(r.start))),
            ("start_time", .int(Int(AccessLogVariable.milliseconds(r.start.timeIntervalSince1970)))),
            ("connection", .int(Int(clamping: r.connectionID))),
            ("close_reason", .string(r.closeReason)),
        ]
        if !r.upstreamAddrsTried.isEmpty || r.upstreamAddr != nil {
            out.append(("upstream_addr", .string(r.upstreamAddrsTried.isEmpty ? r.upstreamAddr ?? ""
                                                  : r.upstreamAddrsTried.joined(separator: ", "))))
            out.append(("upstream_bytes_sent", .int(Int(clamping: r.upstreamBytesSent))))
            out.append(("upstream_bytes_received", .int(Int(clamping: r.upstreamBytesReceived))))
        }
        if let t = r.upstreamConnectTime { out.append(("upstream_connect_time", seconds(t))) }
        if let name = r.sslServerName { out.append(("ssl_server_name", .string(name))) }
        if let proto = r.sslProtocol { out.append(("ssl_protocol", .string(proto))) }
        if let source = r.proxyProtocolSource {
            out.append(("proxy_protocol_addr", .string(source.host)))
            out.append(("proxy_protocol_port", .int(source.port)))
        }
        if let peer = r.realipRemote { out.append(("realip_remote_addr", .string(peer.host))) }
        return out
    }
}
