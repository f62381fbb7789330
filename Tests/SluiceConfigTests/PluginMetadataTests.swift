import Testing
@testable import SluiceConfig

/// `plugin_metadata` objects: syslog's decoded (log_format, max_pending_entries), a Sluice plugin without metadata
/// refused, an HTTP plugin's kept as written; the whole document writes them back.
extension StreamPluginConfigTests {
    @Test func syslogMetadataDecodesAndOthersAreKeptOrRefused() throws {
        let config = try decode("""
        plugin_metadata:
          - {id: syslog, log_format: {client: $remote_addr}, max_pending_entries: 10}
          - {id: http-logger, log_format: {host: $host}}
        """)
        #expect(config.syslogMetadata == SyslogMetadata(
            logFormat: [LogFormatField(key: "client", value: .variable("remote_addr"))], maxPendingEntries: 10))
        #expect(config.pluginMetadata.map(\.id) == ["syslog", "http-logger"] && config.pluginMetadata[1].syslog == nil)
        #expect(config.document()["plugin_metadata"].map { if case .list(let l) = $0.kind { l.count } else { 0 } } == 2)
        #expect(try decode("stream_routes: []").syslogMetadata == SyslogMetadata(logFormat: nil, maxPendingEntries: 8192))

        func problems(_ yaml: String) -> [String] {
            do {
                _ = try decode(yaml)
                return []
            } catch let e as ConfigErrors {
                return e.errors.map { "\($0.path): \($0.message)" }
            } catch {
                return ["\(error)"]
            }
        }
        #expect(problems("plugin_metadata: [{id: limit-conn, x: 1}]")
                == ["plugin_metadata[0].id: the stream plugin limit-conn has no plugin metadata (only syslog has)"])
        #expect(problems("plugin_metadata: [{id: syslog, max_pending_entries: 0}]")
                == ["plugin_metadata[0].max_pending_entries: must be 1…10000000, got 0"])
        #expect(problems("plugin_metadata: [{id: syslog, pool_size: 5}]") == ["plugin_metadata[0].pool_size: unknown field"])
        #expect(problems("plugin_metadata: [{id: syslog, log_format: [1]}]").first?.hasPrefix("plugin_metadata[0].log_format") == true)
    }
}
