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
