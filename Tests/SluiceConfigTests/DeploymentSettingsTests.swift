import Testing
@testable import SluiceConfig

/// config.yaml `deployment:`: roles, providers, `etcd` fields, and the combinations refused.
struct DeploymentSettingsTests {
    func decode(_ yaml: String) throws -> NodeSettings {
        try NodeSettings.decode(try ConfigValue.parseYAML(yaml, file: "config.yaml"), file: "config.yaml",
                                directory: "/etc/sluice")
    }

    func errors(_ yaml: String) -> [String] {
        do {
            _ = try decode(yaml)
            return []
        } catch let e as ConfigErrors {
            return e.errors.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    @Test func defaultIsTraditionalWithTheDataFile() throws {
        let s = try decode("sluice:\n  stream_proxy:\n    tcp: [9100]\n")
        #expect(s.deployment == DeploymentSettings())
        #expect(s.deployment.readOnlyReason == nil)
    }

    @Test func dataPlaneFromEtcd() throws {
        let s = try decode("""
        sluice:
          stream_proxy:
            tcp: [9100]
        deployment:
          role: data_plane
          role_data_plane:
            config_provider: etcd
          etcd:
            host: ["http://127.0.0.1:2379", "http://[::1]:2380/", "http://etcd3.example:2379"]
            prefix: /gw
            timeout: 5
            user: root
            password: secret
            startup_retry: 3
        """)
        let d = s.deployment
        #expect(d.role == .dataPlane)
        #expect(d.provider == .etcd)
        #expect(d.readOnlyReason?.contains("data_plane") == true)
        #expect(d.etcd?.hosts == [.init(host: "127.0.0.1", port: 2379), .init(host: "::1", port: 2380),
                                  .init(host: "etcd3.example", port: 2379)])
        #expect(d.etcd?.prefix == "/gw")
        #expect(d.etcd?.timeout == 5)
        #expect(d.etcd?.user == "root")
        #expect(d.etcd?.password == "secret")
        #expect(d.etcd?.startupRetry == 3)
    }

    @Test func traditionalWithEtcdUsesDefaults() throws {
        let s = try decode("""
        apisix:
          stream_proxy:
            tcp: [9100]
        deployment:
          role: traditional
          role_traditional:
            config_provider: etcd
          admin:
            admin_key_required: true
          etcd:
            host: "http://127.0.0.1:2379"
        """)
        #expect(s.deployment.provider == .etcd)
        #expect(s.deployment.etcd?.prefix == "/apisix")
        #expect(s.deployment.etcd?.timeout == 30)
        #expect(s.deployment.etcd?.startupRetry == 2)
    }

    @Test func specificErrors() {
        #expect(errors("""
        sluice: {}
        deployment:
          role: edge
        """) == ["config.yaml:3: deployment.role: must be one of traditional, data_plane, control_plane, got \"edge\""])
        #expect(errors("""
        sluice: {}
        deployment:
          role: data_plane
        """) == ["config.yaml:3: deployment.role_data_plane: is required for role data_plane (config_provider: etcd)",
                 "config.yaml:3: deployment.role_data_plane.config_provider: role data_plane needs config_provider: "
                     + "etcd (a file-based gateway is role: traditional)"])
        #expect(errors("""
        sluice: {}
        deployment:
          role_traditional:
            config_provider: etcd
        """) == ["config.yaml:3: deployment.etcd: is required with config_provider: etcd "
                 + "(host: [\"http://127.0.0.1:2379\"])"])
        let many = errors("""
        sluice: {}
        deployment:
          role_traditional:
            config_provider: etcd
            colour: blue
          role_data_plane:
            config_provider: etcd
          etcd:
            host: ["127.0.0.1:2379", "https://127.0.0.1:2379", "http://127.0.0.1:99999"]
            prefix: apisix/
            timeout: 0
            user: root
            tls:
              verify: false
        """)
        #expect(many == [
            "config.yaml:7: deployment.role_data_plane: does not apply to role traditional; use role_traditional",
            "config.yaml:5: deployment.role_traditional.colour: unknown field",
            "config.yaml:9: deployment.etcd.host[0]: must be an http://host:port URL, got \"127.0.0.1:2379\"",
            "config.yaml:9: deployment.etcd.host[1]: etcd over TLS (https://) is not supported yet, "
                + "got \"https://127.0.0.1:2379\"",
            "config.yaml:9: deployment.etcd.host[2]: must be an http://host:port URL, got \"http://127.0.0.1:99999\": "
                + "must be 1…65535, got 99999",
            "config.yaml:10: deployment.etcd.prefix: must start with / and not end with one (\"/apisix\"), got \"apisix/\"",
            "config.yaml:11: deployment.etcd.timeout: must be 1…600, got 0",
            "config.yaml:12: deployment.etcd.user: user and password go together",
            "config.yaml:14: deployment.etcd.tls: etcd over TLS is not supported yet; use http:// members on a "
                + "trusted network",
        ])
    }

    @Test func controlPlaneServesNoTraffic() throws {
        let e = errors("""
        sluice:
          stream_proxy:
            tcp: [9100]
        deployment:
          role: control_plane
          role_control_plane:
            config_provider: etcd
          etcd:
            host: ["http://127.0.0.1:2379"]
        """)
        #expect(e == ["config.yaml:3: sluice.stream_proxy: a control_plane serves no traffic: remove the stream_proxy "
                      + "listeners (or use role: traditional)"])
    }
}
