import SluiceConfig
import Testing
@testable import SluiceAdmin

/// Paths of the Admin API and what they name.
struct AdminRouteTests {
    @Test(arguments: [
        ("/apisix/admin/stream_routes", AdminRoute.collection(.streamRoutes)),
        ("/apisix/admin/upstreams/", AdminRoute.collection(.upstreams)),
        ("/apisix/admin/services/s1", AdminRoute.object(.services, id: "s1", subPath: [])),
        ("/apisix/admin/ssls/a%2Eb", AdminRoute.object(.ssls, id: "a.b", subPath: [])),
        ("/apisix/admin/stream_routes/1/upstream/nodes", AdminRoute.object(.streamRoutes, id: "1", subPath: ["upstream", "nodes"])),
        ("/apisix/admin/schema/stream_route", AdminRoute.schema("stream_route")),
        ("/apisix/admin/plugins/list", AdminRoute.pluginList),
        ("/apisix/admin/schema/plugins/syslog", AdminRoute.pluginSchema("syslog")),
        ("/apisix/admin/status", AdminRoute.status),
        ("/v1/healthcheck", AdminRoute.healthcheck(key: nil)),
        ("/v1/healthcheck/upstreams/1", AdminRoute.healthcheck(key: "upstreams/1")),
        ("/v1/healthcheck/stream_routes/r-1", AdminRoute.healthcheck(key: "stream_routes/r-1")),
        ("/sluice/v1/revisions", AdminRoute.revisions),
        ("/sluice/v1/revisions/12", AdminRoute.revision(12)),
        ("/sluice/v1/revisions/12/diff", AdminRoute.revisionDiff(12)),
        ("/sluice/v1/revisions/10/rollback/", AdminRoute.revisionRollback(10)),
    ])
    func matches(_ path: String, _ expected: AdminRoute) {
        #expect(AdminRoute.match(path) == expected)
    }

    @Test(arguments: ["/", "/apisix", "/apisix/admin", "/apisix/admin/routes", "/apisix/admin/consumers/1",
                      "/other/admin/upstreams", "/v1/other", "/sluice/v1/revisions/x", "/sluice/v1/revisions/0",
                      "/sluice/v1/revisions/1/undo", "/sluice/v1/revisions/1/diff/2"])
    func unknownPathsMatchNothing(_ path: String) {
        #expect(AdminRoute.match(path) == nil)
    }

    @Test func queryStringsAreDecoded() {
        let q = QueryString.parse("filter=service_id%3D1&page=2&name=a+b&empty")
        #expect(q == ["filter": "service_id=1", "page": "2", "name": "a b", "empty": ""])
        let r = AdminRequest(method: "GET", target: "/apisix/admin/upstreams?page_size=10")
        #expect(r.path == "/apisix/admin/upstreams" && r.query["page_size"] == "10")
    }
}
