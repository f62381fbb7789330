import Foundation
import SluiceConfig
import Testing
@testable import SluiceAdmin

/// The API against a real Store in a temporary folder, without sockets.
struct AdminAPITests {
    let store: Store
    let api: AdminAPI

    init() throws {
        let dir = NSTemporaryDirectory() + "sluice-admin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try Store(dataFile: dir + "/gateway.yaml")
        api = AdminAPI(store: store, auth: AdminAuth(key: "k", viewerKey: nil, allow: [CIDR("127.0.0.0/8")].compactMap { $0 }),
                       now: { 1_700_000_000 })
    }

    func call(_ method: String, _ target: String, _ body: String = "", headers: [String: String] = [:]) -> AdminResponse {
        api.handle(AdminRequest(method: method, target: target, headers: headers.merging(["X-API-KEY": "k"]) { a, _ in a },
                                body: Array(body.utf8)))
    }

    @Test func putThenGetWithETag() throws {
        let created = call("PUT", "/apisix/admin/upstreams/1", #"{"nodes":{"127.0.0.1:1":1}}"#)
        #expect(created.status == 201)
        #expect(created.body.contains(#""create_time":1700000000"#))
        let got = call("GET", "/apisix/admin/upstreams/1")
        #expect(got.status == 200 && got.header("etag") == created.header("etag"))
        #expect(store.snapshot.config.upstream("1") != nil)
    }

    @Test func staleIfMatchIs412() {
        let first = call("PUT", "/apisix/admin/upstreams/1", #"{"nodes":{"127.0.0.1:1":1}}"#)
        let etag = first.header("etag") ?? ""
        #expect(call("PATCH", "/apisix/admin/upstreams/1", #"{"desc":"a"}"#, headers: ["If-Match": etag]).status == 200)
        #expect(call("PATCH", "/apisix/admin/upstreams/1", #"{"desc":"b"}"#, headers: ["If-Match": etag]).status == 412)
        #expect(call("PUT", "/apisix/admin/upstreams/2", #"{"nodes":{"127.0.0.1:1":1}}"#, headers: ["If-Match": etag]).status == 412)
    }

    @Test func errorPathsAreRelativeToTheObject() {
        _ = call("PUT", "/apisix/admin/stream_routes/a", #"{"upstream":{"nodes":{"127.0.0.1:1":1}}}"#)
        let r = call("PUT", "/apisix/admin/stream_routes/b", #"{"upstream":{"nodes":{"127.0.0.1:70000":1}}}"#)
        #expect(r.status == 400)
        #expect(r.body == #"{"error_msg":"invalid configuration: upstream.nodes[0].port: must be 1…65535, got 70000"}"#)
    }

    @Test func writesThatCannotWorkAreSavedWithWarnings() {
        let r = call("PUT", "/apisix/admin/upstreams/empty", #"{"nodes":{}}"#)
        #expect(r.status == 201)
        #expect(r.body.contains(#""warnings":["nodes: no nodes: every connection routed here will fail"]"#), "\(r.body)")
        #expect(!call("PUT", "/apisix/admin/upstreams/ok", #"{"nodes":{"127.0.0.1:1":1}}"#).body.contains("warnings"))
    }

    @Test func schemaIsValidJSON() {
        #expect(StreamRouteSchema.value != nil)
        #expect(call("GET", "/apisix/admin/schema/stream_route").status == 200)
        #expect(call("GET", "/apisix/admin/schema/nothing").status == 404)
    }

    @Test func relativePaths() {
        let e = ConfigError(path: "stream_routes[3].upstream.nodes[1].port", message: "m")
        #expect(ErrorPaths.relative(e, to: "stream_routes[3]").path == "upstream.nodes[1].port")
        #expect(ErrorPaths.relative(e, to: "stream_routes[30]").path == e.path)
        #expect(ErrorPaths.relative(ConfigError(path: "services[0]", message: "m"), to: "services[0]").path == "")
    }
}

/// `/sluice/v1/revisions` against a real Store: shapes, paging, text diffs, rollback, and who may do what.
struct RevisionEndpointTests {
    let store: Store
    let api: AdminAPI

    init() throws {
        let dir = NSTemporaryDirectory() + "sluice-admin-rev-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try Store(dataFile: dir + "/gateway.yaml")
        api = AdminAPI(store: store, auth: AdminAuth(key: "k", viewerKey: "v", allow: [CIDR("127.0.0.0/8")].compactMap { $0 }),
                       now: { 1_700_000_000 })
    }

    func call(_ method: String, _ target: String, _ body: String = "", key: String = "k") -> AdminResponse {
        api.handle(AdminRequest(method: method, target: target, headers: ["X-API-KEY": key], body: Array(body.utf8),
                                clientAddress: IPAddress("127.0.0.1")))
    }

    @Test func listGetDiffAndRollback() throws {
        #expect(call("PUT", "/apisix/admin/upstreams/u", #"{"nodes":{"127.0.0.1:1":1}}"#).status == 201)
        #expect(call("PATCH", "/apisix/admin/upstreams/u", #"{"nodes":{"127.0.0.1:2":1}}"#).status == 200)
        let list = call("GET", "/sluice/v1/revisions")
        #expect(list.status == 200)
        let value = try ConfigValue.parseJSON(Array(list.body.utf8))
        #expect(value["total"] == .int(3))
        guard case .list(let items)? = value["list"]?.kind else { Issue.record("no list"); return }
        #expect(items.map { $0["revision"] } == [.int(3), .int(2), .int(1)])
        #expect(items.map { $0["source"]?.stringValue } == ["admin_api", "admin_api", "start"])
        #expect(items[0]["changes"]?.jsonText() == #"[{"resource":"upstreams","id":"u","action":"update"}]"#)
        #expect(call("GET", "/sluice/v1/revisions?filter=a%3Db").status == 400)

        let one = try ConfigValue.parseJSON(Array(call("GET", "/sluice/v1/revisions/2").body.utf8))
        #expect(one["document"]?.stringValue?.contains("127.0.0.1:1") == true)

        let diff = call("GET", "/sluice/v1/revisions/3/diff")
        #expect(diff.status == 200 && diff.contentType.hasPrefix("text/plain"))
        #expect(diff.body.hasSuffix("\n     127.0.0.1:1: 1\n+    127.0.0.1:2: 1\n   create_time: 1700000000\n   update_time: 1700000000\n"), "\(diff.body)")
        #expect(call("GET", "/sluice/v1/revisions/3/diff?against=x").status == 400)
        #expect(call("GET", "/sluice/v1/revisions/3/diff?against=99").status == 404)

        #expect(call("POST", "/sluice/v1/revisions/2/rollback", key: "v").status == 403)
        let back = call("POST", "/sluice/v1/revisions/2/rollback")
        #expect(back.status == 200)
        #expect(back.body.contains(#""revision":4"#) && back.body.contains(#""source":"rollback""#)
                && back.body.contains(#""rolled_back_to":2"#))
        #expect(store.snapshot.config.upstream("u")?.nodes.map(\.port) == [1])
        #expect(call("POST", "/sluice/v1/revisions/99/rollback").status == 404)
    }

    @Test func documentsLeavePrivateKeysOut() throws {
        let key = "-----BEGIN PRIVATE KEY-----\\nc2VjcmV0\\n-----END PRIVATE KEY-----\\n"
        let cert = "-----BEGIN CERTIFICATE-----\\nY2VydA==\\n-----END CERTIFICATE-----\\n"
        #expect(call("PUT", "/apisix/admin/ssls/1", #"{"snis":["a.test"],"cert":"\#(cert)","key":"\#(key)"}"#).status == 201)
        let one = call("GET", "/sluice/v1/revisions/2")
        #expect(one.status == 200 && one.body.contains("CERTIFICATE") && !one.body.contains("c2VjcmV0"))
        #expect(!call("GET", "/sluice/v1/revisions/2/diff").body.contains("c2VjcmV0"))
    }
}
