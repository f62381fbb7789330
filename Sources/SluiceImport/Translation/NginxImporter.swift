import Foundation
import SluiceConfig

/// What an import produced: the two Sluice documents and every note about the input.
public struct ImportResult: Sendable {
    /// `config.yaml`: listeners, `real_ip_from`, the access log.
    public var config: ConfigValue
    /// `gateway.yaml`: stream routes, services, upstreams, certificates.
    public var gateway: ConfigValue
    /// Every directive translated approximately or left out, in input order.
    public var notes: [ImportNote]
    /// How many stream routes came out; zero means nothing usable.
    public var routeCount: Int
}

/// Translates an nginx `stream {}` configuration into Sluice's `config.yaml` and `gateway.yaml`.
///
/// Deterministic: the same directives give the same documents, in input order. Nothing is dropped silently:
/// each directive is translated, or noted as approximate, not translated (with why) or not needed.
public enum NginxImporter {
    /// Reads `path` (and its includes) and translates it.
    /// - Throws: `NginxSyntaxError` when the file cannot be read or parsed.
    public static func importFile(_ path: String) throws(NginxSyntaxError) -> ImportResult {
        var parser = NginxParser()
        let top = try parser.parse(file: path)
        let base = (path as NSString).deletingLastPathComponent
        return translate(top, baseDirectory: base.isEmpty ? "." : base)
    }

    /// Translates a parsed configuration; relative certificate paths start at `baseDirectory`.
    public static func translate(_ top: [NginxDirective], baseDirectory: String) -> ImportResult {
        let notes = ImportNotes()
        let files = CertificateFiles(baseDirectory: baseDirectory)
        let stream = StreamScope.directives(of: top, notes: notes)
        var settings = ServerSettings()
        var accessLog = AccessLogTranslation()
        var upstreams: [UpstreamBlock] = []
        var maps: [String: SNIMap] = [:]
        var realIPFrom: [String] = []
        let isUpstream = { (d: NginxDirective) in d.name == "upstream" && d.block != nil && d.args.count == 1 }
        let upstreamNames = Set(stream.filter(isUpstream).map { $0.args[0] })
        var resolver = ResolverTranslation()
        for d in stream where d.name != "server" {
            if resolver.read(d, notes: notes) || settings.read(d, files: files, notes: notes) { continue }
            switch d.name {
            case "upstream" where isUpstream(d):
                upstreams.append(UpstreamBlock(d, notes: notes))
            case "upstream" where d.block != nil:
                notes.add(d, .notTranslated, "an upstream block needs one name", subject: "\(d.text) {}")
            case "map" where d.block != nil:
                if d.args.count == 2 && d.args[0] == "$ssl_preread_server_name" {
                    let map = SNIMap(d, upstreams: upstreamNames, notes: notes)
                    maps[map.variable] = map
                } else {
                    notes.add(d, .notTranslated, "Sluice routes by a map of $ssl_preread_server_name only",
                              subject: "map \(d.args.joined(separator: " "))")
                }
            case "log_format": accessLog.define(d, notes: notes)
            case "access_log": accessLog.useAtStreamLevel(d, notes: notes)
            case "set_real_ip_from":
                if d.args.count == 1, CIDR(d.args[0]) != nil { realIPFrom.append(d.args[0]) } else {
                    notes.add(d, .notTranslated, "Sluice trusts IP addresses or CIDRs only")
                }
            default:
                notes.add(d, .notTranslated, d.block == nil ? "unknown stream directive"
                          : "unknown block in stream {}", subject: d.block == nil ? nil : "\(d.text) {}")
            }
        }
        let servers = stream.filter { $0.name == "server" }.map {
            ServerBlock($0, inherited: settings, upstreams: upstreamNames, maps: maps, files: files,
                        accessLog: accessLog, notes: notes)
        }
        var assembler = GatewayAssembler(upstreams: upstreams, notes: notes)
        for server in servers { assembler.add(server) }
        let gateway = assembler.gatewayDocument()
        var proxy = MapBuilder()
        let listeners = assembler.listenerSections()
        proxy.set("tcp", listeners.tcp.isEmpty ? nil : .list(listeners.tcp))
        proxy.set("udp", listeners.udp.isEmpty ? nil : .list(listeners.udp))
        proxy.set("real_ip_from", realIPFrom.isEmpty ? nil : .list(realIPFrom.map { .string($0) }))
        var root = MapBuilder()
        root.set("stream_proxy", proxy.entries.isEmpty ? nil : proxy.value)
        root.set("access_log", accessLog.section)
        for (key, value) in resolver.fields { root.set(key, value) }
        root.set("data_file", .string("gateway.yaml"))
        return ImportResult(config: .map([("sluice", root.value)]), gateway: gateway,
                            notes: notes.all, routeCount: assembler.routeCount)
    }
}
