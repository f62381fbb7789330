import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceConsole

/// The plugins section of the route and service forms: structured fields for every stream plugin (nested parts as
/// JSON fields), raw JSON for any other plugin, `_meta.disable`, errors beside the field; and the PLUGINS column of
/// the lists.
struct PluginFormTests {
    func type(_ text: String, into form: FormScreen, data: ConsoleData) {
        for c in text { _ = form.handle(.char(c), data: data).settled }
    }

    func focus(_ key: String, in form: FormScreen, data: ConsoleData) throws {
        while form.focus > 0 { _ = form.handle(.up, data: data).settled }
        for _ in 0..<200 where form.focus >= form.fields.count || form.fields[form.focus].key != key {
            _ = form.handle(.down, data: data).settled
        }
        try #require(form.focus < form.fields.count && form.fields[form.focus].key == key, "no field \(key)")
    }

    func field(_ key: String, _ form: FormScreen) throws -> FormField {
        try #require(form.fields.first { $0.key == key }, "no field \(key)")
    }

    func editRoute(_ id: String, _ store: Store) throws -> FormScreen {
        let doc = try #require(store.snapshot.config.documents(.streamRoutes).first { $0.id == id })
        return FormScreen(spec: RouteFormSpec(), store: store, existing: doc)
    }

    @Test func addLimitConnShowsTheDecodersErrorBesideTheFieldThenSaves() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let form = try editRoute("1", store)
        try focus(PluginFields.addKey, in: form, data: data)
        type("limit-conn", into: form, data: data)
        _ = form.handle(.enter, data: data).settled
        #expect(form.fields[form.focus].key == "plugins.limit-conn.conn", "Enter adds the plugin and focuses its first field")
        #expect(try field("plugins.limit-conn", form).value == PluginFields.enabled)
        #expect(try field(PluginFields.addKey, form).value.isEmpty, "a fresh + plugin row")
        type("0", into: form, data: data)
        try focus("plugins.limit-conn.key", in: form, data: data)
        type("remote_addr", into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        #expect(try field("plugins.limit-conn.conn", form).error == "must be > 0, got 0")
        #expect(try field("plugins.limit-conn.burst", form).error == "is required")
        #expect(store.snapshot.config.streamRoutes.first { $0.id == "1" }?.plugins.configs.isEmpty == true)
        for (rows, cols) in [(24, 80), (48, 160)] {
            let canvas = MemoryCanvas(rows: rows, cols: cols)
            ConsoleApp(tabs: [form], data: data).render(on: canvas)
            let row = try #require(canvas.row(containing: "  conn "), "\(canvas.screen)")
            #expect(canvas.line(row).contains("✗ must be > 0, got 0"), "\(canvas.screen)")
            #expect(canvas.row(containing: "limit-conn") != nil, "\(canvas.screen)")
        }

        try focus("plugins.limit-conn.conn", in: form, data: data)
        _ = form.handle(.backspace, data: data).settled
        type("2", into: form, data: data)
        try focus("plugins.limit-conn.burst", in: form, data: data)
        type("1", into: form, data: data)
        try focus("plugins.limit-conn.default_conn_delay", in: form, data: data)
        type("0.5", into: form, data: data)
        try focus("plugins.limit-conn.only_use_default_delay", in: form, data: data)
        _ = form.handle(.char(" "), data: data).settled
        guard case .sequence = form.handle(.function(2), data: data).settled else {
            Issue.record("not saved: \(form.fields.compactMap { f in f.error.map { "\(f.key): \($0)" } })")
            return
        }
        let route = try #require(store.snapshot.config.streamRoutes.first { $0.id == "1" })
        guard case .limitConn(let limit)? = route.plugins.configs.first?.config else {
            Issue.record("no limit-conn: \(route.plugins)")
            return
        }
        #expect(limit.conn == 2 && limit.burst == 1 && limit.defaultConnDelay == 0.5 && limit.onlyUseDefaultDelay)
        #expect(limit.key == [.variable("remote_addr")])
    }

    @Test func ipRestrictionListsAndTheWholePluginsErrorBesideItsStateRow() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let form = try editRoute("1", store)
        try focus(PluginFields.addKey, in: form, data: data)
        type("ip-restriction", into: form, data: data)
        _ = form.handle(.enter, data: data).settled
        type("127.0.0.1, ::1", into: form, data: data)
        try focus("plugins.ip-restriction.blacklist", in: form, data: data)
        type("10.0.0.0/8", into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        #expect(try field("plugins.ip-restriction", form).error == "must have only one of whitelist or blacklist, not both")
        #expect(form.fields[form.focus].key == "plugins.ip-restriction", "the focus goes to the error")
        try focus("plugins.ip-restriction.blacklist", in: form, data: data)
        for _ in 0..<"10.0.0.0/8".count { _ = form.handle(.backspace, data: data).settled }
        guard case .sequence = form.handle(.function(2), data: data).settled else {
            Issue.record("not saved: \(form.fields.compactMap { f in f.error.map { "\(f.key): \($0)" } })")
            return
        }
        let raw = try #require(store.snapshot.config.streamRoutes.first { $0.id == "1" }?.raw)
        #expect(raw.value(at: "plugins.ip-restriction.whitelist") == .list([.string("127.0.0.1"), .string("::1")]))
        #expect(raw.value(at: "plugins.ip-restriction.blacklist") == nil)
    }

    @Test func disableRemoveAndFieldsTheFormDoesNotShowAreKept() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        _ = try store.writeObject(.streamRoutes, source: .adminAPI, now: 1) { _ in
            ("p", try ConfigValue.parseJSON(Array(#"""
            {"server_port": 9100, "upstream_id": "echo", "plugins": {
              "limit-conn": {"conn": 1, "burst": 0, "default_conn_delay": 1, "key": "remote_addr",
                             "rejected_msg": "busy"},
              "ip-restriction": {"blacklist": ["10.0.0.1"]}}}
            """#.utf8)))
        }
        let form = try editRoute("p", store)
        #expect(try field("plugins.limit-conn.conn", form).value == "1")
        try focus("plugins.limit-conn", in: form, data: data)
        _ = form.handle(.char(" "), data: data).settled
        #expect(try field("plugins.limit-conn", form).value == PluginFields.disabled)
        try focus("plugins.ip-restriction", in: form, data: data)
        _ = form.handle(.left, data: data).settled
        #expect(try field("plugins.ip-restriction", form).value == PluginFields.remove)
        guard case .sequence = form.handle(.function(2), data: data).settled else {
            Issue.record("not saved: \(form.fields.compactMap(\.error))")
            return
        }
        let route = try #require(store.snapshot.config.streamRoutes.first { $0.id == "p" })
        #expect(route.raw.value(at: "plugins.limit-conn._meta.disable") == .bool(true))
        #expect(route.raw.value(at: "plugins.limit-conn.rejected_msg") == .string("busy"))
        #expect(route.raw.value(at: "plugins.ip-restriction") == nil)
        #expect(route.plugins.configs.map(\.disabled) == [true])
        #expect(PluginFields.summary(route.raw["plugins"]) == "limit-conn (off)")

        // Enabled again: `_meta` goes away entirely.
        let again = try editRoute("p", store)
        try focus("plugins.limit-conn", in: again, data: data)
        _ = again.handle(.right, data: data).settled
        _ = again.handle(.right, data: data).settled
        #expect(try field("plugins.limit-conn", again).value == PluginFields.enabled)
        _ = again.handle(.function(2), data: data).settled
        #expect(store.snapshot.config.streamRoutes.first { $0.id == "p" }?.raw.value(at: "plugins.limit-conn._meta") == nil)
    }

    @Test func anyOtherPluginIsRawJSONCheckedByTheSameDecoder() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let form = try editRoute("1", store)
        try focus(PluginFields.addKey, in: form, data: data)
        type("teleport", into: form, data: data)
        _ = form.handle(.enter, data: data).settled
        #expect(form.fields[form.focus].key == "plugins.teleport#json")
        type(#"{"to": "mars""#, into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        #expect(try field("plugins.teleport#json", form).error?.hasPrefix("not JSON") == true)
        type("}", into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        // The configuration decoder decides, and its error lands on the JSON row.
        #expect(try field("plugins.teleport#json", form).error == "unknown stream plugin",
                "\(form.fields.compactMap { f in f.error.map { "\(f.key): \($0)" } })")
        #expect(store.snapshot.config.streamRoutes.first { $0.id == "1" }?.raw["plugins"] == nil)

        // The form's document for a raw plugin is the JSON as typed, plus the state row's `_meta.disable`.
        var fields = RouteFormSpec().fields(existing: nil, config: store.snapshot.config)
        let add = try #require(fields.firstIndex { $0.key == PluginFields.addKey })
        fields[add].value = "x-logger"
        _ = PluginFields.enter(&fields, at: add)
        let json = try #require(fields.firstIndex { $0.key == "plugins.x-logger#json" })
        fields[json].value = #"{"host": "127.0.0.1", "port": 5514, "_meta": {"filter": []}}"#
        let state = try #require(fields.firstIndex { $0.key == "plugins.x-logger" })
        fields[state].value = PluginFields.disabled
        var doc = ConfigValue.map([])
        PluginFields.apply(&fields, to: &doc)
        #expect(doc.value(at: "plugins.x-logger") == (try ConfigValue.parseJSON(Array(
            #"{"host": "127.0.0.1", "port": 5514, "_meta": {"filter": [], "disable": true}}"#.utf8))))
        #expect(PluginFields.block(name: "x-logger", config: try #require(doc.value(at: "plugins.x-logger")))[1].value
            == #"{"host":"127.0.0.1","port":5514,"_meta":{"filter":[]}}"#, "the JSON row leaves _meta.disable to the state row")
    }

    @Test func everyStreamPluginHasStructuredFields() {
        #expect(PluginLayout.all.map(\.name).sorted() == PluginSet.available.sorted())
    }

    @Test func syslogMQTTBandwidthAndPrometheusFieldsSaveThroughTheDecoder() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let form = try editRoute("1", store)
        for name in ["syslog", "mqtt-proxy", "limit-bandwidth", "prometheus"] {
            try focus(PluginFields.addKey, in: form, data: data)
            type(name, into: form, data: data)
            _ = form.handle(.enter, data: data).settled
        }
        let typed = ["plugins.syslog.host": "127.0.0.1", "plugins.syslog.port": "70000",
                     "plugins.syslog.log_format": #"{"client": "$remote_addr""#,
                     "plugins.mqtt-proxy.protocol_level": "4", "plugins.limit-bandwidth.download_rate": "-1"]
        for (key, text) in typed.sorted(by: { $0.key < $1.key }) {
            try focus(key, in: form, data: data)
            type(text, into: form, data: data)
        }
        try focus("plugins.syslog.sock_type", in: form, data: data)
        _ = form.handle(.right, data: data).settled
        try focus("plugins.prometheus.prefer_name", in: form, data: data)
        _ = form.handle(.right, data: data).settled
        _ = form.handle(.function(2), data: data).settled
        #expect(try field("plugins.syslog.log_format", form).error?.hasPrefix("not JSON") == true)
        try focus("plugins.syslog.log_format", in: form, data: data)
        type("}", into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        // Each of the decoder's errors beside its own field.
        #expect(try field("plugins.syslog.port", form).error == "must be 1…65535, got 70000")
        #expect(try field("plugins.limit-bandwidth.download_rate", form).error == "must be 0…1099511627776, got -1")
        try focus("plugins.syslog.port", in: form, data: data)
        for _ in 0..<5 { _ = form.handle(.backspace, data: data).settled }
        type("5514", into: form, data: data)
        try focus("plugins.limit-bandwidth.download_rate", in: form, data: data)
        for _ in 0..<2 { _ = form.handle(.backspace, data: data).settled }
        type("262144", into: form, data: data)
        guard case .sequence = form.handle(.function(2), data: data).settled else {
            Issue.record("not saved: \(form.fields.compactMap { f in f.error.map { "\(f.key): \($0)" } })")
            return
        }
        let route = try #require(store.snapshot.config.streamRoutes.first { $0.id == "1" })
        #expect(route.raw.value(at: "plugins.syslog") == (try ConfigValue.parseJSON(Array(#"""
            {"host": "127.0.0.1", "port": 5514, "sock_type": "tcp", "log_format": {"client": "$remote_addr"}}
            """#.utf8))))
        #expect(route.raw.value(at: "plugins.mqtt-proxy") == .map([("protocol_level", .int(4))]))
        #expect(route.raw.value(at: "plugins.limit-bandwidth") == .map([("download_rate", .int(262_144))]))
        #expect(route.raw.value(at: "plugins.prometheus") == .map([("prefer_name", .bool(true))]))
        #expect(Set(route.plugins.configs.map(\.config.name)) == ["syslog", "mqtt-proxy", "limit-bandwidth", "prometheus"])
        // Opened again, the nested part shows as JSON.
        let again = try editRoute("1", store)
        #expect(try field("plugins.syslog.log_format", again).value == #"{"client":"$remote_addr"}"#)
    }

    @Test func trafficSplitRulesAreOneJSONFieldWithTheirErrorsBesideIt() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let form = try editRoute("1", store)
        try focus(PluginFields.addKey, in: form, data: data)
        type("traffic-split", into: form, data: data)
        _ = form.handle(.enter, data: data).settled
        #expect(form.fields[form.focus].key == "plugins.traffic-split.rules")
        type(#"[{"match": [{"vars": [["http_host", "==", "a"]]}]}]"#, into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        #expect(try field("plugins.traffic-split.rules", form).error?.contains(#"unknown variable "http_host""#) == true,
                "\(form.fields.compactMap { f in f.error.map { "\(f.key): \($0)" } })")
        try focus("plugins.traffic-split.rules", in: form, data: data)
        for _ in 0..<#"http_host", "==", "a"]]}]}]"#.count { _ = form.handle(.backspace, data: data).settled }
        type(#"remote_addr", "ipmatch", "10.0.0.0/8"]]}]}]"#, into: form, data: data)
        guard case .sequence = form.handle(.function(2), data: data).settled else {
            Issue.record("not saved: \(form.fields.compactMap { f in f.error.map { "\(f.key): \($0)" } })")
            return
        }
        let route = try #require(store.snapshot.config.streamRoutes.first { $0.id == "1" })
        #expect(route.plugins.trafficSplit?.rules.first?.match?.count == 1)
    }

    @Test func aPluginNameIsCheckedWhenAdded() throws {
        var fields = PluginFields.fields(try ConfigValue.parseJSON(Array(#"{"limit-conn": {}}"#.utf8)))
        let add = try #require(fields.firstIndex { $0.key == PluginFields.addKey })
        fields[add].value = "limit-conn"
        #expect(PluginFields.enter(&fields, at: add) == add)
        #expect(fields[add].error == "limit-conn is already configured above")
        fields[add].value = "a.b"
        _ = PluginFields.enter(&fields, at: add)
        #expect(fields[add].error == "a plugin name is lowercase letters, digits, - and _")
    }

    @Test func theServiceFormEditsPluginsToo() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let doc = try #require(store.snapshot.config.documents(.services).first)
        let form = FormScreen(spec: ServiceFormSpec(), store: store, existing: doc)
        try focus(PluginFields.addKey, in: form, data: data)
        type("ip-restriction", into: form, data: data)
        _ = form.handle(.enter, data: data).settled
        type("127.0.0.0/8", into: form, data: data)
        guard case .sequence = form.handle(.function(2), data: data).settled else {
            Issue.record("not saved: \(form.fields.compactMap(\.error))")
            return
        }
        #expect(store.snapshot.config.services.first?.plugins.configs.first?.config.name == "ip-restriction")
    }

    @Test(arguments: [(24, 80), (48, 160)]) func routesListShowsPlugins(rows: Int, cols: Int) throws {
        let store = try Fixtures.store()
        _ = try store.writeObject(.streamRoutes, source: .adminAPI, now: 1) { _ in
            ("p", try ConfigValue.parseJSON(Array(#"""
            {"server_port": 9100, "upstream_id": "echo", "plugins": {
              "ip-restriction": {"whitelist": ["127.0.0.1"]},
              "limit-conn": {"conn": 1, "burst": 0, "default_conn_delay": 1, "key": "remote_addr",
                             "_meta": {"disable": true}}}}
            """#.utf8)))
        }
        var data = try Fixtures.data()
        data.config = store.snapshot
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        ConsoleApp(tabs: [ObjectListScreen(kind: .streamRoutes, store: store)], data: data).render(on: canvas)
        let header = try #require(canvas.row(containing: "UPSTREAM"), "\(canvas.screen)")
        #expect(canvas.line(header).hasSuffix("PLUGINS") || canvas.line(header).contains("PLUGINS "), "\(canvas.screen)")
        let row = try #require(canvas.row(containing: "ip-restr"), "\(canvas.screen)")
        #expect(cols < 100 || canvas.line(row).contains("ip-restriction, limit-conn (o"), "\(canvas.screen)")
    }

    @Test func narrowTablesDropTheMostDroppableColumnsFirst() {
        let table = Table(columns: [TableColumn("A", min: 10, max: 10), TableColumn("B", min: 10, max: 10, drop: 2),
                                    TableColumn("C", min: 10, max: 10, drop: 1), TableColumn("D", min: 10, max: 10)],
                          rows: [])
        #expect(table.widths(for: 43) == [10, 10, 10, 10])
        #expect(table.widths(for: 40) == [10, 0, 10, 10])
        #expect(table.widths(for: 30) == [10, 0, 0, 10])
        #expect(table.widths(for: 15) == [10, 0, 0, 0])
    }
}

/// Plugin metadata in the console: its list and its form (syslog's two settings), through the Store's validation.
extension PluginFormTests {
    @Test func syslogMetadataIsListedAndEditedWithErrorsBesideTheField() throws {
        let store = try Fixtures.store()
        var data = try Fixtures.data()
        let form = FormScreen(spec: PluginMetadataFormSpec(), store: store, existing: nil)
        #expect(form.fields.map(\.key) == ["id", "log_format", "max_pending_entries"])
        try focus("id", in: form, data: data)
        for _ in 0..<form.fields[0].value.count { _ = form.handle(.backspace, data: data).settled }
        type("syslog", into: form, data: data)
        try focus("log_format", in: form, data: data)
        type(#"{"client": "$remote_addr"}"#, into: form, data: data)
        try focus("max_pending_entries", in: form, data: data)
        type("0", into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        #expect(try field("max_pending_entries", form).error == "must be 1…10000000, got 0",
                "\(form.fields.compactMap { f in f.error.map { "\(f.key): \($0)" } })")
        _ = form.handle(.backspace, data: data).settled
        type("100", into: form, data: data)
        guard case .sequence = form.handle(.function(2), data: data).settled else {
            Issue.record("not saved: \(form.fields.compactMap { f in f.error.map { "\(f.key): \($0)" } })")
            return
        }
        #expect(store.snapshot.config.syslogMetadata.maxPendingEntries == 100)
        #expect(store.snapshot.config.syslogMetadata.logFormat?.map(\.key) == ["client"])
        data.config = store.snapshot
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        ConsoleApp(tabs: [ObjectListScreen(kind: .pluginMetadata, store: store)], data: data).render(on: canvas)
        let row = try #require(canvas.row(containing: "syslog"), "\(canvas.screen)")
        #expect(canvas.line(row).contains("log_format, max_pending_entries"), "\(canvas.screen)")
    }
}
