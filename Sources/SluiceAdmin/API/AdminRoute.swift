import SluiceConfig

/// What an Admin API path names.
public enum AdminRoute: Equatable, Sendable {
    /// `/apisix/admin/<kind>`
    case collection(ResourceKind)
    /// `/apisix/admin/<kind>/<id>[/<sub/path>]` — the sub-path is for `PATCH` of one field.
    case object(ResourceKind, id: String, subPath: [String])
    /// `/apisix/admin/schema/<name>`
    case schema(String)
    /// `/apisix/admin/schema/plugins/<name>`
    case pluginSchema(String)
    /// `/apisix/admin/plugins/list`
    case pluginList
    /// `/apisix/admin/status`
    case status
    /// `/v1/healthcheck` (every upstream), `/v1/healthcheck/<upstreams|stream_routes|services>/<id>` (one, by the
    /// key its health is kept under: `upstreams/1`).
    case healthcheck(key: String?)
    /// `/sluice/v1/revisions`
    case revisions
    /// `/sluice/v1/revisions/<n>`
    case revision(Int)
    /// `/sluice/v1/revisions/<n>/diff`
    case revisionDiff(Int)
    /// `/sluice/v1/revisions/<n>/rollback`
    case revisionRollback(Int)

    /// Matches a request path; nil when it names nothing. Segments are percent-decoded; a trailing `/` is ignored.
    public static func match(_ path: String) -> AdminRoute? {
        let segments = path.split(separator: "/").map { QueryString.percentDecode(String($0)) }
        if segments == ["v1", "healthcheck"] { return .healthcheck(key: nil) }
        if segments.count == 4, segments[0] == "v1", segments[1] == "healthcheck",
           ["upstreams", "stream_routes", "services"].contains(segments[2]) {
            return .healthcheck(key: "\(segments[2])/\(segments[3])")
        }
        if segments.count >= 3, segments[0] == "sluice", segments[1] == "v1", segments[2] == "revisions" {
            return revisionRoute(Array(segments.dropFirst(3)))
        }
        guard segments.count >= 3, segments[0] == "apisix", segments[1] == "admin" else { return nil }
        let rest = Array(segments.dropFirst(2))
        switch rest[0] {
        case "status" where rest.count == 1: return .status
        case "schema" where rest.count == 2: return .schema(rest[1])
        case "schema" where rest.count == 3 && rest[1] == "plugins": return .pluginSchema(rest[2])
        case "plugins" where rest == ["plugins", "list"]: return .pluginList
        default: break
        }
        guard let kind = ResourceKind(rawValue: rest[0]) else { return nil }
        if rest.count == 1 { return .collection(kind) }
        return .object(kind, id: rest[1], subPath: Array(rest.dropFirst(2)))
    }

    private static func revisionRoute(_ rest: [String]) -> AdminRoute? {
        guard let first = rest.first else { return .revisions }
        guard let n = Int(first), n >= 1 else { return nil }
        switch rest.dropFirst() {
        case []: return .revision(n)
        case ["diff"]: return .revisionDiff(n)
        case ["rollback"]: return .revisionRollback(n)
        default: return nil
        }
    }
}
