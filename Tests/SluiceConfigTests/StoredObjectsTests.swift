import Testing
@testable import SluiceConfig

/// APISIX's etcd layout decoded: values validated as the data file's objects, bad ones skipped and reported.
struct StoredObjectsTests {
    func object(_ key: String, _ json: String, _ create: Int = 1, _ mod: Int = 1) -> StoredObject {
        StoredObject(key: key, value: Array(json.utf8), createRevision: create, modRevision: mod)
    }

    @Test func validObjectsWithTheirRevisions() {
        let m = StoredObjects.decode([
            object("/apisix/stream_routes/r1", #"{"server_port":9100,"upstream_id":"u1"}"#, 5, 7),
            object("/apisix/upstreams/u1", #"{"id":"u1","nodes":{"127.0.0.1:80":1}}"#, 3, 3),
            object("/apisix/routes/1", #"{"uri":"/http"}"#),
            object("/apisix/upstreams", "init_dir"),
            object("/other/upstreams/x", "{}"),
        ], prefix: "/apisix")
        #expect(m.skipped.isEmpty)
        #expect(m.config.streamRoutes.map(\.id) == ["r1"])
        #expect(m.config.upstreams.map(\.id) == ["u1"])
        #expect(m.config.streamRoutes.first?.raw["id"]?.stringValue == "r1")
        #expect(m.objectRevisions == ["stream_routes/r1": ObjectRevision(created: 5, modified: 7),
                                      "upstreams/u1": ObjectRevision(created: 3, modified: 3)])
    }

    @Test func pluginMetadataLivesUnderItsPluginsName() {
        let m = StoredObjects.decode([
            object("/apisix/plugin_metadata/syslog", #"{"max_pending_entries":7}"#, 4, 6),
        ], prefix: "/apisix")
        #expect(m.skipped.isEmpty && m.config.syslogMetadata.maxPendingEntries == 7)
        #expect(m.objectRevisions == ["plugin_metadata/syslog": ObjectRevision(created: 4, modified: 6)])
        #expect(StoredObjects.key(prefix: "/apisix", .pluginMetadata, "syslog") == "/apisix/plugin_metadata/syslog")
    }

    @Test func invalidValuesAreSkippedAndReported() {
        let m = StoredObjects.decode([
            object("/apisix/upstreams/u1", #"{"nodes":{"127.0.0.1:80":1}}"#),
            object("/apisix/upstreams/junk", "{not json"),
            object("/apisix/upstreams/list", "[1]"),
            object("/apisix/upstreams/other", #"{"id":"someone-else","nodes":{"127.0.0.1:80":1}}"#),
            object("/apisix/stream_routes/bad", #"{"server_port":70000,"upstream_id":"u1"}"#),
            object("/apisix/stream_routes/dangling", #"{"upstream_id":"gone"}"#),
            object("/apisix/stream_routes/ok", #"{"upstream_id":"u1"}"#),
        ], prefix: "/apisix")
        #expect(m.config.upstreams.map(\.id) == ["u1"])
        #expect(m.config.streamRoutes.map(\.id) == ["ok"])
        let reported = m.skipped.map(\.description)
        #expect(reported.count == 5)
        #expect(reported.contains { $0.hasPrefix("/apisix/upstreams/junk: not a JSON value") })
        #expect(reported.contains("/apisix/upstreams/list: must be a JSON object, got a list"))
        #expect(reported.contains(#"/apisix/upstreams/other: id: must be the key's id "other", got "someone-else""#))
        #expect(reported.contains { $0.hasPrefix("/apisix/stream_routes/bad: server_port: must be 1…65535") })
        #expect(reported.contains(#"/apisix/stream_routes/dangling: upstream_id: upstream "gone" does not exist"#))
        // A skipped value keeps its revisions, so a writer can replace it.
        #expect(m.objectRevisions["stream_routes/bad"] != nil)
    }

    @Test func aSkippedUpstreamTakesItsRoutesWithIt() {
        let m = StoredObjects.decode([
            object("/gw/upstreams/u1", #"{"nodes":{"127.0.0.1:99999":1}}"#),
            object("/gw/stream_routes/r1", #"{"upstream_id":"u1"}"#),
        ], prefix: "/gw")
        #expect(m.config == GatewayConfig())
        #expect(m.skipped.map(\.file) == ["/gw/upstreams/u1", "/gw/stream_routes/r1"])
    }
}
