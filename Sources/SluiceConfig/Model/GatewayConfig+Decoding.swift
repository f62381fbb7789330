extension GatewayConfig {
    /// Decodes and validates a whole `gateway.yaml` document.
    /// - Parameter file: the name used in error messages (`gateway.yaml`), nil for Admin API bodies.
    /// - Throws: `ConfigErrors` listing every problem with its path and, for files, its line.
    public static func decode(_ value: ConfigValue, file: String?) throws(ConfigErrors) -> GatewayConfig {
        let problems = Problems(file: file)
        var config = GatewayConfig()
        if value.isNull { return config }
        guard var r = FieldReader(value, path: "", problems: problems) else { throw ConfigErrors(problems.errors) }
        config.streamRoutes = list(&r, .streamRoutes) { StreamRoute.decode($0, path: $1, problems: problems) }
        config.services = list(&r, .services) { Service.decode($0, path: $1, problems: problems) }
        config.upstreams = list(&r, .upstreams) { Upstream.decode($0, path: $1, inline: false, problems: problems) }
        config.ssls = list(&r, .ssls) { SSLCertificate.decode($0, path: $1, problems: problems) }
        config.pluginMetadata = list(&r, .pluginMetadata) { PluginMetadata.decode($0, path: $1, problems: problems) }
        for key in keptAPISIXSections {
            if let v = r.raw(key) { config.otherSections.append(ConfigEntry(key: key, value: v)) }
        }
        r.rejectUnknownFields()
        config.checkReferences(problems: problems, lines: value)
        guard problems.isEmpty else { throw ConfigErrors(problems.errors) }
        return config
    }

    private static func list<T>(_ r: inout FieldReader, _ kind: ResourceKind,
                                _ decode: (ConfigValue, String) -> T?) -> [T] {
        guard let v = r.raw(kind.rawValue) else { return [] }
        guard case .list(let items) = v.kind else {
            r.report(kind.rawValue, "must be a list, got \(v.typeName)")
            return []
        }
        return items.enumerated().compactMap { decode($1, FieldPath.index(kind.rawValue, $0)) }
    }

    /// Whole-configuration rules: unique ids, references that exist, a stream route reaching an upstream.
    func checkReferences(problems: Problems, lines: ConfigValue?) {
        func line(_ kind: ResourceKind, _ i: Int, _ field: String? = nil) -> Int? {
            Self.line(kind, i, field, in: lines)
        }
        for kind in ResourceKind.allCases {
            var seen: [String: Int] = [:]
            for (i, doc) in documents(kind).enumerated() {
                if let first = seen[doc.id] {
                    problems.add(FieldPath.join("\(kind.rawValue)[\(i)]", "id"),
                                 "duplicate id \"\(doc.id)\", also used by \(kind.rawValue)[\(first)]",
                                 line: line(kind, i, "id"))
                } else {
                    seen[doc.id] = i
                }
            }
        }
        for (i, service) in services.enumerated() {
            if let uid = service.upstreamID, upstream(uid) == nil {
                problems.add("services[\(i)].upstream_id", "upstream \"\(uid)\" does not exist",
                             line: line(.services, i, "upstream_id"))
            }
            checkTrafficSplit(service.plugins, raw: service.raw, path: "services[\(i)]", problems: problems)
        }
        for (i, route) in streamRoutes.enumerated() { checkRoute(route, at: i, problems: problems, lines: lines) }
    }

    /// The line of object `i` of `kind` (of its `field`, when given) in the document `lines`.
    private static func line(_ kind: ResourceKind, _ i: Int, _ field: String?, in lines: ConfigValue?) -> Int? {
        guard case .list(let items)? = lines?[kind.rawValue]?.kind, i < items.count else { return nil }
        return field.flatMap { items[i][$0]?.line } ?? items[i].line
    }

    /// The rules that involve stream route `i` (`route`): the objects it names exist and suit it, and it reaches an
    /// upstream. Nothing else refers to a stream route, so these are all the cross-references a change to one
    /// route can break (`puttingStreamRoute`).
    func checkRoute(_ route: StreamRoute, at i: Int, problems: Problems, lines: ConfigValue?) {
        func line(_ kind: ResourceKind, _ i: Int, _ field: String? = nil) -> Int? {
            Self.line(kind, i, field, in: lines)
        }
        let path = "stream_routes[\(i)]"
        if let uid = route.upstreamID, upstream(uid) == nil {
            problems.add("\(path).upstream_id", "upstream \"\(uid)\" does not exist",
                         line: line(.streamRoutes, i, "upstream_id"))
        }
        var service: Service?
        if let sid = route.serviceID {
            service = self.service(sid)
            if service == nil {
                problems.add("\(path).service_id", "service \"\(sid)\" does not exist",
                             line: line(.streamRoutes, i, "service_id"))
            } else if service?.type == .http {
                problems.add("\(path).service_id", "service \"\(sid)\" is an http service; a stream route "
                             + "needs a stream service", line: line(.streamRoutes, i, "service_id"))
            }
        }
        checkTrafficSplit(route.plugins, raw: route.raw, path: path, problems: problems)
        let hasUpstream = route.upstream != nil || route.upstreamID != nil
            || service?.upstream != nil || service?.upstreamID != nil
        // A traffic-split that sends every connection elsewhere needs none of the route's own.
        let split = route.plugins.merged(over: service?.plugins).lazy
            .compactMap { if case .trafficSplit(let t) = $0 { t } else { nil } }.first
        // Why the route needs an upstream of its own (the note after "needs an upstream"), nil: it does not.
        let need: String? = if let split { split.routeUpstreamUse.map { " (\($0))" } } else { "" }
        // A plugin that did not decode (its error is reported) may be what names the upstream: mqtt-proxy's
        // older in-plugin broker, or traffic-split; saying "needs an upstream" too would point the wrong way.
        let pluginFailed = route.plugins.configs.count < route.plugins.entries.count
        if !hasUpstream, let need, !pluginFailed, route.serviceID == nil || service != nil {
            problems.add(path, "needs an upstream\(need): set upstream, upstream_id, or a service_id whose "
                         + "service has one", line: line(.streamRoutes, i))
        }
    }

    /// traffic-split's `upstream_id`s must exist, like any other reference.
    private func checkTrafficSplit(_ plugins: PluginSet, raw: ConfigValue, path: String, problems: Problems) {
        guard let split = plugins.trafficSplit else { return }
        let writtenRules = raw["plugins"]?["traffic-split"]?["rules"]
        for (r, rule) in split.rules.enumerated() {
            let entriesPath = "\(path).plugins.traffic-split.rules[\(r)].weighted_upstreams"
            let written: [ConfigValue]? = if case .list(let rules)? = writtenRules?.kind, r < rules.count,
                case .list(let entries)? = rules[r]["weighted_upstreams"]?.kind { entries } else { nil }
            for (j, entry) in rule.weightedUpstreams.enumerated() {
                guard case .upstreamID(let uid) = entry.target, upstream(uid) == nil else { continue }
                let line = written.flatMap { j < $0.count ? $0[j]["upstream_id"]?.line : nil }
                problems.add("\(entriesPath)[\(j)].upstream_id", "upstream \"\(uid)\" does not exist", line: line)
            }
        }
    }
}
