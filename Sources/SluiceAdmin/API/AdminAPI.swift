import Foundation
import SluiceConfig
import SluiceEngine

/// The Admin API's request handling, APISIX v3 compatible for stream objects, independent of HTTP transport.
///
/// Order of checks: client address (403), key (401; the viewer key may only read: 403), path (404), method (405).
/// Every write goes through `Store.update`, so it is validated, persisted and published to the engine at once.
public final class AdminAPI: Sendable {
    private let store: Store
    private let auth: AdminAuth
    private let reader: ResourceReader
    private let writer: ResourceWriter
    private let info: InfoEndpoints
    private let history: RevisionEndpoints

    /// - Parameters:
    ///   - engineSnapshot: the engine's state for `/v1/healthcheck` (nil: no upstreams listed).
    ///   - now: seconds since the epoch, for `create_time` / `update_time`.
    package init(store: Store, auth: AdminAuth, engineSnapshot: @escaping @Sendable () -> EngineSnapshot? = { nil },
                now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.store = store
        self.auth = auth
        self.reader = ResourceReader(store: store)
        self.writer = ResourceWriter(store: store, now: now, listeners: { engineSnapshot()?.listeners.map(\.spec) })
        self.info = InfoEndpoints(store: store, engineSnapshot: engineSnapshot)
        self.history = RevisionEndpoints(store: store)
    }

    /// An API without an engine (`/v1/healthcheck` lists no upstreams) on the system clock, for callers outside the
    /// package: the Admin API fuzz target.
    public static func withoutEngine(store: Store, auth: AdminAuth) -> AdminAPI {
        AdminAPI(store: store, auth: auth)
    }

    /// Answers one request; never throws — every refusal is a response.
    public func handle(_ request: AdminRequest) -> AdminResponse {
        do throws(AdminError) {
            _ = try auth.check(request)
            guard let route = AdminRoute.match(request.path) else { throw AdminError.unknownPath(request.path) }
            return try dispatch(route, request)
        } catch {
            return error.response
        }
    }

    /// The refusal a request's head alone decides (client address, key), so the HTTP layer can answer before it
    /// reads a body; nil when the request may go on to `handle`.
    public func refusal(for request: AdminRequest) -> AdminResponse? {
        do throws(AdminError) {
            _ = try auth.check(request)
            return nil
        } catch {
            return error.response
        }
    }

    private func dispatch(_ route: AdminRoute, _ request: AdminRequest) throws(AdminError) -> AdminResponse {
        let method = request.method
        // APISIX's plugin_metadata resource has no POST (the id is the plugin's name) and no PATCH.
        switch route {
        case .collection(.pluginMetadata) where method == "POST", .object(.pluginMetadata, _, _) where method == "PATCH":
            throw AdminError(.error(405, "not supported `\(method)` method for plugin_metadata"))
        default: break
        }
        switch route {
        case .collection(let kind):
            switch method {
            case "GET": return try reader.list(kind, query: request.query)
            case "POST": return try writer.post(kind, request)
            case "PUT": return try writer.put(kind, id: nil, request)
            default: throw .methodNotAllowed(method)
            }
        case .object(let kind, let id, let subPath):
            switch method {
            case "PATCH": return try writer.patch(kind, id: id, subPath: subPath, request)
            case _ where !subPath.isEmpty: throw .unknownPath(request.path)
            case "GET": return try reader.get(kind, id: id)
            case "PUT": return try writer.put(kind, id: id, request)
            case "DELETE": return try writer.delete(kind, id: id, request)
            default: throw .methodNotAllowed(method)
            }
        case .schema(let name):
            try Self.readOnly(method)
            guard name == "stream_route", let schema = StreamRouteSchema.value else { throw .unknownPath(request.path) }
            return AdminResponse(status: 200, json: schema)
        case .pluginSchema(let name):
            try Self.readOnly(method)
            guard try Self.streamSubsystem(request, invalid: { "unsupported subsystem: \($0)" }),
                  let schema = PluginSchemas.value(of: name) else {
                throw AdminError(.error(404, "plugin not found in subsystem \(request.query["subsystem"] ?? "stream")"))
            }
            return AdminResponse(status: 200, json: schema)
        case .pluginList:
            try Self.readOnly(method)
            let stream = try Self.streamSubsystem(request, invalid: { _ in "invalid subsystem passed" })
            let names = stream ? PluginSet.available : []
            return AdminResponse(status: 200, json: .list(names.map { .string($0) }))
        case .status:
            try Self.readOnly(method)
            return info.status()
        case .healthcheck(let key):
            try Self.readOnly(method)
            if let key {
                guard let response = info.healthcheck(key: key) else { throw .unknownPath(request.path) }
                return response
            }
            return info.healthcheck()
        case .revisions:
            try Self.readOnly(method)
            return try history.list(query: request.query)
        case .revision(let n):
            try Self.readOnly(method)
            return try history.get(n)
        case .revisionDiff(let n):
            try Self.readOnly(method)
            return try history.diff(n, query: request.query)
        case .revisionRollback(let n):
            guard method == "POST" else { throw .methodNotAllowed(method) }
            return try history.rollback(n, ifMatch: request.header("if-match"))
        }
    }

    /// Whether `?subsystem=` asks for stream plugins: `stream`, or absent (Sluice has no HTTP subsystem); `http`
    /// has none. - Throws: 400 with APISIX's message for any other value (`invalid` words it).
    private static func streamSubsystem(_ request: AdminRequest,
                                        invalid: (String) -> String) throws(AdminError) -> Bool {
        switch request.query["subsystem"] {
        case nil, "stream": return true
        case "http": return false
        case let other?: throw .badRequest(invalid(other))
        }
    }

    private static func readOnly(_ method: String) throws(AdminError) {
        if method != "GET" { throw .methodNotAllowed(method) }
    }
}
