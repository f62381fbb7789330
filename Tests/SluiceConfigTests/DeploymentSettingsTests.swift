import Foundation
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
            host: ["127.0.0.1:2379", "http://127.0.0.1:99999"]
            prefix: apisix/
            timeout: 0
            user: root
            tls:
              verify: false
        """)
        #expect(many == [
            "config.yaml:7: deployment.role_data_plane: does not apply to role traditional; use role_traditional",
            "config.yaml:5: deployment.role_traditional.colour: unknown field",
            "config.yaml:9: deployment.etcd.host[0]: must be an http://host:port or https://host:port URL, "
                + "got \"127.0.0.1:2379\"",
            "config.yaml:9: deployment.etcd.host[1]: must be an http://host:port or https://host:port URL, "
                + "got \"http://127.0.0.1:99999\": must be 1…65535, got 99999",
            "config.yaml:10: deployment.etcd.prefix: must start with / and not end with one (\"/apisix\"), got \"apisix/\"",
            "config.yaml:11: deployment.etcd.timeout: must be 1…600, got 0",
            "config.yaml:12: deployment.etcd.user: user and password go together",
        ])
    }

    /// A folder with `ca.pem`, `client.pem`, `client.key` (their content does not matter to decoding).
    func tlsFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-etcd-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in ["ca.pem", "client.pem", "client.key"] {
            #expect(FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: Data("x".utf8)))
        }
        return dir
    }

    func decode(_ yaml: String, in dir: String) throws -> NodeSettings {
        try NodeSettings.decode(try ConfigValue.parseYAML(yaml, file: "config.yaml"), file: "config.yaml", directory: dir)
    }

    @Test func etcdOverTLSWithClientCertificate() throws {
        let dir = try tlsFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try decode("""
        sluice:
          ssl:
            ssl_trusted_certificate: ca.pem
        deployment:
          role: data_plane
          role_data_plane:
            config_provider: etcd
          etcd:
            host: ["https://127.0.0.1:2379", "https://etcd2.example:2379"]
            tls:
              cert: client.pem
              key: \(dir)/client.key
              sni: etcd.example
        """, in: dir)
        let etcd = try #require(s.deployment.etcd)
        #expect(etcd.hosts == [.init(host: "127.0.0.1", port: 2379, secure: true),
                               .init(host: "etcd2.example", port: 2379, secure: true)])
        #expect(etcd.hosts[0].description == "https://127.0.0.1:2379")
        var tls = EtcdTLSSettings()
        tls.certificate = "\(dir)/client.pem"
        tls.key = "\(dir)/client.key"
        tls.serverName = "etcd.example"
        tls.systemTrust = false
        tls.trustedCertificates = ["\(dir)/ca.pem"]
        #expect(etcd.tls == tls)
    }

    @Test func httpsWithoutTLSSectionVerifiesWithTheSystemsCAs() throws {
        let dir = try tlsFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try decode("""
        apisix:
          ssl:
            ssl_trusted_certificate: "system, ca.pem"
            listen: [9443]
        deployment:
          role: data_plane
          role_data_plane:
            config_provider: etcd
          etcd:
            host: "https://127.0.0.1:2379"
        """, in: dir)
        let tls = try #require(s.deployment.etcd?.tls)
        #expect(tls.verify && tls.systemTrust && tls.certificate == nil && tls.serverName == nil)
        #expect(tls.trustedCertificates == ["\(dir)/ca.pem"])
        let plain = try decode("""
        apisix:
          ssl:
            ssl_trusted_certificate: system
        deployment:
          role_traditional:
            config_provider: etcd
          etcd:
            host: "http://127.0.0.1:2379"
        """, in: dir)
        #expect(plain.deployment.etcd?.tls == nil)
    }

    @Test func tlsMistakesAreRefused() throws {
        let dir = try tlsFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func errors(_ yaml: String) -> [String] {
            do {
                _ = try decode(yaml, in: dir)
                return []
            } catch let e as ConfigErrors {
                return e.errors.map(\.description)
            } catch {
                return ["\(error)"]
            }
        }
        #expect(errors("""
        sluice: {}
        deployment:
          role_traditional:
            config_provider: etcd
          etcd:
            host: ["http://127.0.0.1:2379"]
            tls:
              verify: true
        """) == ["config.yaml:8: deployment.etcd.tls: applies to https:// members only, and host lists http:// ones "
                 + "(use https://, or remove tls)"])
        #expect(errors("""
        sluice: {}
        deployment:
          role_traditional:
            config_provider: etcd
          etcd:
            host: ["http://127.0.0.1:2379", "https://127.0.0.1:2380"]
        """) == ["config.yaml:6: deployment.etcd.host: members must be all https:// or all http://, not both"])
        #expect(errors("""
        sluice:
          ssl:
            ssl_trusted_certificate: missing.pem
            ssl_protocols: TLSv1.3
        deployment:
          role_traditional:
            config_provider: etcd
          etcd:
            host: ["https://127.0.0.1:2379"]
            tls:
              cert: client.pem
              verify: yes please
              sni: 127.0.0.1
              colour: blue
        """) == [
            "config.yaml:11: deployment.etcd.tls.cert: cert and key go together (the client certificate and its "
                + "private key)",
            "config.yaml:12: deployment.etcd.tls.verify: must be true or false, got a string",
            "config.yaml:13: deployment.etcd.tls.sni: must be a host name (an IP address is checked without SNI), "
                + "got \"127.0.0.1\"",
            "config.yaml:14: deployment.etcd.tls.colour: unknown field",
            "config.yaml:3: sluice.ssl.ssl_trusted_certificate: cannot read \(dir)/missing.pem",
            "config.yaml:4: sluice.ssl.ssl_protocols: unknown field",
        ])
        #expect(errors("""
        sluice:
          ssl:
            ssl_trusted_certificate: ca.pem
        deployment:
          role_traditional:
            config_provider: etcd
          etcd:
            host: ["http://127.0.0.1:2379"]
        """) == ["config.yaml:3: sluice.ssl.ssl_trusted_certificate: is used for https:// etcd members "
                 + "(deployment.etcd.host) only, and none is configured"])
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
