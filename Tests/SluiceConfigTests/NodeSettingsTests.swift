import Testing
@testable import SluiceConfig

/// `config.yaml`: both roots, every listener form, strictness under `sluice:`.
struct NodeSettingsTests {
    func decode(_ yaml: String) throws -> NodeSettings {
        try NodeSettings.decode(try ConfigValue.parseYAML(yaml, file: "config.yaml"), file: "config.yaml", directory: "/etc/sluice")
    }

    @Test func listenerForms() throws {
        let s = try decode("""
        sluice:
          stream_proxy:
            tcp:
              - 9100
              - "127.0.0.1:9101"
              - "9500-9502"
              - addr: "[::1]:9103"
            udp:
              - 9200
          data_file: data/gw.yaml
        """)
        #expect(s.listeners.map(\.description) == [
            "tcp 0.0.0.0:9100", "tcp 127.0.0.1:9101", "tcp 0.0.0.0:9500", "tcp 0.0.0.0:9501", "tcp 0.0.0.0:9502",
            "tcp [::1]:9103", "udp 0.0.0.0:9200",
        ])
        #expect(s.dataFile == "/etc/sluice/data/gw.yaml")
        #expect(s.drainTimeout == 30)
    }

    @Test func apisixRootIgnoresKeysSluiceDoesNotUse() throws {
        let s = try decode("""
        apisix:
          node_listen: 9080
          proxy_mode: http&stream
          stream_proxy:
            tcp:
              - 9100
        deployment:
          role: traditional
        """)
        #expect(s.root == "apisix")
        #expect(s.listeners.count == 1)
    }

    @Test func sluiceRootIsStrict() {
        #expect(throws: ConfigErrors.self) {
            try decode("sluice:\n  stream_proxy:\n    tcp: [9100]\n  colour: blue\n")
        }
        do {
            _ = try decode("sluice:\n  stream_proxy:\n    tcp: [70000, \"1.2.3:80\"]\n")
        } catch let e as ConfigErrors {
            #expect(e.errors.count == 2)
            #expect(e.errors[0].description.hasPrefix("config.yaml:3: sluice.stream_proxy.tcp[0]: must be a port 1…65535"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func missingRootIsAnError() {
        #expect(throws: ConfigErrors.self) { try decode("stream_proxy: {}\n") }
    }

    @Test func historyKeepHasADefaultAndABound() throws {
        #expect(try decode("sluice: {}\n").historyKeep == 200)
        #expect(try decode("sluice:\n  history:\n    keep: 5\n").historyKeep == 5)
        for bad in ["0", "10001", "\"many\""] {
            do {
                _ = try decode("sluice:\n  history:\n    keep: \(bad)\n")
                Issue.record("history.keep \(bad) accepted")
            } catch let e as ConfigErrors {
                #expect(e.errors.first?.description.hasPrefix("config.yaml:3: sluice.history.keep: must be") == true)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        #expect(throws: ConfigErrors.self) { try decode("sluice:\n  history:\n    kept: 5\n") }
    }
}

/// Listener options: TLS, passthrough, PROXY protocol, UDP replies; and which combinations are refused.
extension NodeSettingsTests {
    @Test func optionsAreCarriedToEachPortOfARange() throws {
        let s = try decode("""
        sluice:
          stream_proxy:
            tcp:
              - {addr: "127.0.0.1:9443-9444", tls: true, proxy_protocol: true}
              - {addr: 9445, tls_passthrough: true}
            udp:
              - {addr: 53, proxy_responses: 1}
            real_ip_from: ["127.0.0.0/8", "::1"]
        """)
        #expect(s.listeners.filter(\.tls).map(\.port) == [9443, 9444])
        #expect(s.listeners.filter(\.proxyProtocol).count == 2)
        #expect(s.listeners.first { $0.port == 9445 }?.tlsPassthrough == true)
        #expect(s.listeners.first { $0.transport == .udp }?.udpResponses == 1)
        #expect(s.realIPFrom.count == 2)
    }

    @Test func conflictingOptionsAreRefused() {
        do {
            _ = try decode("""
            sluice:
              stream_proxy:
                tcp:
                  - {addr: 9443, tls: true, tls_passthrough: true}
                  - {addr: 9444, proxy_responses: 2}
                udp:
                  - {addr: 53, tls: true}
            """)
            Issue.record("accepted")
        } catch let e as ConfigErrors {
            let text = e.description
            #expect(text.contains("tls_passthrough: cannot be combined with tls: true"))
            #expect(text.contains("proxy_responses: is for UDP listeners only"))
            #expect(text.contains("tls: is for TCP listeners only"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func listenersMayHaveTheirOwnAccessLogOrNone() throws {
        let s = try decode("""
        sluice:
          stream_proxy:
            tcp:
              - {addr: "9100-9101", access_log: {path: logs/db.log, format: "$remote_addr"}}
              - {addr: 9102, access_log: false}
              - 9103
            udp:
              - {addr: 53, access_log: {path: /var/log/dns.log}}
          access_log: {path: logs/access.log}
        """)
        let db = ListenerAccessLog.file(AccessLogSettings(path: "/etc/sluice/logs/db.log", format: "$remote_addr"))
        #expect(s.listenerAccessLogs[s.listeners[0]] == db && s.listenerAccessLogs[s.listeners[1]] == db)
        #expect(s.listenerAccessLogs[s.listeners[2]] == .off)
        #expect(s.listenerAccessLogs[s.listeners[3]] == nil)
        #expect(s.listenerAccessLogs[s.listeners[4]] == .file(AccessLogSettings(path: "/var/log/dns.log", format: nil)))
        #expect(s.accessLog?.path == "/etc/sluice/logs/access.log")
    }

    @Test func aListenerAccessLogNeedsAPathAndNothingElse() {
        do {
            _ = try decode("""
            sluice:
              stream_proxy:
                tcp:
                  - {addr: 9100, access_log: true}
                  - {addr: 9101, access_log: {format: "$remote_addr"}}
                  - {addr: 9102, access_log: {path: a.log, colour: red}}
                  - {addr: 9103, access_log: "a.log"}
            """)
            Issue.record("accepted")
        } catch let e as ConfigErrors {
            #expect(e.errors.map(\.description) == [
                "config.yaml:4: sluice.stream_proxy.tcp[0].access_log: must be false (no access log) or {path, "
                    + "format}; the main access_log is the default",
                "config.yaml:5: sluice.stream_proxy.tcp[1].access_log.path: is required",
                "config.yaml:6: sluice.stream_proxy.tcp[2].access_log.colour: unknown field",
                "config.yaml:7: sluice.stream_proxy.tcp[3].access_log: must be an object, got a string",
            ])
        } catch {
            Issue.record("\(error)")
        }
    }
}
