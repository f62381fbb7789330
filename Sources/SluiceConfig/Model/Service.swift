/// What a service carries; fixed once the service exists.
public enum ServiceType: String, Sendable {
    case stream
    case http
}

/// The transport of a stream service; fixed once the service exists.
public enum ServiceScheme: String, Sendable {
    case tcp
    case udp
}

/// Shared upstream and plugins for routes (APISIX `services`), typed `stream` or `http`.
///
/// APISIX services have no type; a service written without one is a `stream` service with scheme `tcp`,
/// since stream routes are what Sluice serves.
public struct Service: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var type: ServiceType = .stream
    /// `tcp` or `udp` for stream services, nil for http ones.
    public var scheme: ServiceScheme?
    public var upstream: Upstream?
    public var upstreamID: String?
    public var plugins = PluginSet()
    public var raw: ConfigValue

    public init(id: String, raw: ConfigValue) {
        self.id = id
        self.raw = raw
    }

    static func decode(_ value: ConfigValue, path: String, problems: Problems) -> Service? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        let id = r.id("id", required: true)
        var service = Service(id: id ?? "", raw: value)
        service.name = r.string("name", maxLength: 100)
        service.type = r.oneOf("type", ["stream", "http"]).flatMap(ServiceType.init) ?? .stream
        if let scheme = r.oneOf("scheme", ["tcp", "udp"]) {
            if service.type == .http {
                r.report("scheme", "only stream services have a scheme")
            } else {
                service.scheme = ServiceScheme(rawValue: scheme)
            }
        } else if service.type == .stream {
            service.scheme = .tcp
        }
        if let up = r.raw("upstream") {
            service.upstream = Upstream.decode(up, path: r.child("upstream"), inline: true, problems: problems)
        }
        service.upstreamID = r.id("upstream_id")
        if let plugins = r.raw("plugins") {
            service.plugins = PluginSet.decode(plugins, path: r.child("plugins"), problems: problems)
            let ownUpstream = service.upstream != nil || service.upstreamID != nil
            if let broker = service.plugins.mqttBrokerUpstream(path: r.child("plugins"), ownUpstream: ownUpstream,
                                                            problems: problems) {
                service.upstream = broker
            }
        }
        r.accept("desc", "labels", "hosts", "enable_websocket", "script", "create_time", "update_time")
        r.rejectUnknownFields()
        return id == nil ? nil : service
    }
}
