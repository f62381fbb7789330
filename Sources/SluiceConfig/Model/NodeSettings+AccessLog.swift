/// A listener's own access log (`access_log` of a `stream_proxy.tcp` / `.udp` entry), used for its sessions
/// instead of the main `access_log` — nginx's `access_log` inside a `server {}`.
public enum ListenerAccessLog: Sendable, Equatable {
    /// `access_log: false`: the listener's sessions are not logged (nginx's `access_log off`).
    case off
    /// Its own file and format (a path another listener or the main log uses is shared, one writer per file).
    case file(AccessLogSettings)
}

extension NodeSettings {
    /// An `access_log` section `{path, format}`; nil when it has no (valid) path.
    /// - Parameter pathRequired: a listener's section must name its file; the main one may be empty (no log).
    static func accessLogSection(_ r: inout FieldReader, directory: String, strict: Bool,
                                 pathRequired: Bool) -> AccessLogSettings? {
        let format = r.string("format", maxLength: 4096)
        let path = r.string("path", required: pathRequired)
        if strict { r.rejectUnknownFields() }
        return path.map { AccessLogSettings(path: resolve($0, in: directory), format: format) }
    }

    /// A listener entry's `access_log`: `false`, or a section with a path.
    static func listenerAccessLog(_ o: inout FieldReader, directory: String) -> ListenerAccessLog? {
        guard let v = o.raw("access_log") else { return nil }
        if case .bool(let on) = v.kind {
            if on { o.report("access_log", "must be false (no access log) or {path, format}; the main access_log "
                             + "is the default") }
            return on ? nil : .off
        }
        guard var r = FieldReader(v, path: o.child("access_log"), problems: o.problems) else { return nil }
        return accessLogSection(&r, directory: directory, strict: true, pathRequired: true).map { .file($0) }
    }
}
