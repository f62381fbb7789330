import Foundation
import SluiceConfig
import Testing
@testable import SluiceAdmin

/// The plugin endpoints: the list, each plugin's schema, and APISIX's wording for plugin errors.
struct PluginAdminTests {
    let api: AdminAPI

    init() throws {
        let dir = NSTemporaryDirectory() + "sluice-admin-plugins-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        api = AdminAPI(store: try Store(dataFile: dir + "/gateway.yaml"),
                       auth: AdminAuth(key: "k", viewerKey: nil, allow: [CIDR("127.0.0.0/8")].compactMap { $0 }))
    }

    func call(_ method: String, _ target: String, _ body: String = "") -> AdminResponse {
        api.handle(AdminRequest(method: method, target: target, headers: ["X-API-KEY": "k"], body: Array(body.utf8)))
    }

    func route(plugins: String) -> AdminResponse {
        call("PUT", "/apisix/admin/stream_routes/1", #"{"upstream":{"nodes":{"127.0.0.1:1":1}},"plugins":"# + plugins + "}")
    }

    @Test func everyImplementedPluginHasASchemaAndNoOtherDoes() {
        #expect(Set(PluginSchemas.stream.keys) == Set(PluginSet.available))
        for name in PluginSet.available {
            #expect(PluginSchemas.value(of: name)?["type"] == .string("object"), "\(name)")
            #expect(call("GET", "/apisix/admin/schema/plugins/\(name)?subsystem=stream").status == 200)
        }
    }

    @Test func schemaEndpointSpeaksAPISIX() {
        let missing = call("GET", "/apisix/admin/schema/plugins/key-auth?subsystem=stream")
        #expect(missing.status == 404 && missing.body == #"{"error_msg":"plugin not found in subsystem stream"}"#)
        #expect(call("GET", "/apisix/admin/schema/plugins/syslog").status == 200)
        #expect(call("GET", "/apisix/admin/schema/plugins/syslog?subsystem=http").body
                == #"{"error_msg":"plugin not found in subsystem http"}"#)
        #expect(call("GET", "/apisix/admin/schema/plugins/syslog?subsystem=l4").body
                == #"{"error_msg":"unsupported subsystem: l4"}"#)
        #expect(call("PUT", "/apisix/admin/schema/plugins/syslog").status == 405)
    }

    @Test func listIsTheImplementedPlugins() {
        let list = #"["ip-restriction","limit-conn","prometheus","limit-bandwidth","syslog","mqtt-proxy","traffic-split"]"#
        #expect(call("GET", "/apisix/admin/plugins/list?subsystem=stream").body == list)
        #expect(call("GET", "/apisix/admin/plugins/list").body == list)
        #expect(call("GET", "/apisix/admin/plugins/list?subsystem=http").body == "[]")
        #expect(call("GET", "/apisix/admin/plugins/list?subsystem=x").body == #"{"error_msg":"invalid subsystem passed"}"#)
    }

    @Test func pluginErrorsUseAPISIXWordingAndNameTheField() {
        #expect(route(plugins: #"{"limit-conn":{"conn":0,"burst":0,"default_conn_delay":1,"key":"remote_addr"}}"#).body
                == #"{"error_msg":"failed to check the configuration of stream plugin [limit-conn]: "#
                   + #"property \"conn\" validation failed: must be > 0, got 0"}"#)
        #expect(route(plugins: #"{"ip-restriction":{}}"#).body
                == #"{"error_msg":"failed to check the configuration of stream plugin [ip-restriction]: "#
                   + #"must have one of whitelist or blacklist"}"#)
        #expect(route(plugins: #"{"ip-restriction":{"whitelist":["x"]}}"#).body
                == #"{"error_msg":"failed to check the configuration of stream plugin [ip-restriction]: "#
                   + #"property \"whitelist[0]\" validation failed: must be an IP address or CIDR, got \"x\""}"#)
        #expect(route(plugins: #"{"teleport":{}}"#).body == #"{"error_msg":"unknown plugin [teleport]"}"#)
        #expect(route(plugins: #"{"mqtt-proxy":{"protocol_level":9}}"#).body.contains(
            #"failed to check the configuration of stream plugin [mqtt-proxy]: property \"protocol_level\" "#
            + #"validation failed: must be 3 (MQTT 3.1)"#))
        let mixed = call("PUT", "/apisix/admin/stream_routes/1",
                         #"{"upstream":{"nodes":{"127.0.0.1:0":1}},"plugins":{"syslog":{"host":"h"}}}"#)
        #expect(mixed.body == #"{"error_msg":"invalid configuration: upstream.nodes[0].port: must be 1…65535, got 0; "#
                + #"failed to check the configuration of stream plugin [syslog]: property \"port\" validation failed: "#
                + #"is required"}"#)
    }
}
