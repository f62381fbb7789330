import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceConsole

/// Forms: editing keys, the Store's errors beside their field, live saves, fixed service type and scheme.
struct FormTests {
    func type(_ text: String, into form: FormScreen, data: ConsoleData) {
        for c in text { _ = form.handle(.char(c), data: data).settled }
    }

    func focus(_ key: String, in form: FormScreen, data: ConsoleData) {
        while form.fields[form.focus].key != key { _ = form.handle(.down, data: data).settled }
    }

    @Test func textFieldEditing() {
        var f = FormField("name", "name", value: "abc")
        _ = f.edit(.left)
        _ = f.edit(.backspace)
        _ = f.edit(.char("X"))
        _ = f.edit(.home)
        _ = f.edit(.delete)
        #expect(f.value == "Xc")
        var choice = FormField("type", "type", .choice(["a", "b", "c"]), value: "a")
        _ = choice.edit(.left)
        #expect(choice.value == "c")
        _ = choice.edit(.char(" "))
        #expect(choice.value == "a")
    }

    @Test func newRouteWithABadPortShowsTheStoresErrorBesideNodesThenSaves() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let form = FormScreen(spec: RouteFormSpec(), store: store, existing: nil)
        #expect(form.fields[0].key == "id" && form.fields[0].value == "3")
        focus("upstream.nodes#0", in: form, data: data)
        type("127.0.0.1:70000=1", into: form, data: data)
        #expect(form.fields.contains { $0.key == "upstream.nodes#1" && $0.label == "+ node" }, "a new empty row")
        _ = form.handle(.function(2), data: data).settled
        let nodes = try #require(form.fields.first { $0.key == "upstream.nodes#0" })
        #expect(nodes.error == "must be 1…65535, got 70000")
        #expect(store.snapshot.config.streamRoutes.count == 2)
        for _ in 0..<"70000=1".count { _ = form.handle(.backspace, data: data).settled }
        type("6380=1", into: form, data: data)
        let action = form.handle(.function(2), data: data).settled
        guard case .sequence = action else {
            Issue.record("expected a save, got \(action)")
            return
        }
        let saved = try #require(store.snapshot.config.streamRoutes.first { $0.id == "3" })
        #expect(saved.upstream?.nodes.first?.port == 6380)
        let text = try String(contentsOfFile: store.dataFile, encoding: .utf8)
        #expect(text.contains("127.0.0.1:6380"))
    }

    @Test func nodeRowsAddAndRemoveNodes() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let doc = try #require(store.snapshot.config.documents(.upstreams).first)
        let form = FormScreen(spec: UpstreamFormSpec(), store: store, existing: doc)
        #expect(form.fields.filter { $0.key.hasPrefix("nodes#") }.map(\.value) == ["127.0.0.1:7000=2", "127.0.0.1:7001=0", ""])
        focus("nodes#1", in: form, data: data)
        _ = form.handle(.end, data: data).settled
        for _ in 0..<"127.0.0.1:7001=0".count { _ = form.handle(.backspace, data: data).settled }
        focus("nodes#2", in: form, data: data)
        type("127.0.0.1:7002=5", into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        let up = try #require(store.snapshot.config.upstream("echo"))
        #expect(up.nodes.map(\.address) == ["127.0.0.1:7000", "127.0.0.1:7002"])
        #expect(up.nodes.map(\.weight) == [2, 5])
    }

    @Test func editingKeepsFieldsTheFormDoesNotShow() throws {
        let store = try Fixtures.store()
        try store.apply(.put(.upstreams, id: "echo", value: try ConfigValue.parseJSON(Array(
            #"{"id":"echo","desc":"kept","nodes":[{"host":"127.0.0.1","port":7000,"weight":2,"priority":5}]}"#.utf8))), source: .console)
        let doc = try #require(store.snapshot.config.documents(.upstreams).first)
        let form = FormScreen(spec: UpstreamFormSpec(), store: store, existing: doc)
        let data = try Fixtures.data()
        focus("retries", in: form, data: data)
        type("2", into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        let up = try #require(store.snapshot.config.upstream("echo"))
        #expect(up.retries == 2)
        #expect(up.nodes.first?.priority == 5)
        #expect(up.raw["desc"]?.stringValue == "kept")
    }

    @Test func serviceTypeAndSchemeAreReadOnlyWhenEditing() throws {
        let store = try Fixtures.store()
        let doc = try #require(store.snapshot.config.documents(.services).first)
        let form = FormScreen(spec: ServiceFormSpec(), store: store, existing: doc)
        let data = try Fixtures.data()
        focus("scheme", in: form, data: data)
        let action = form.handle(.char(" "), data: data).settled
        guard case .flash(let text, true) = action else {
            Issue.record("expected a refusal, got \(action)")
            return
        }
        #expect(text.contains("fixed after creation"))
        #expect(form.fields.first { $0.key == "scheme" }?.value == "tcp")
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        form.draw(on: canvas, top: 2, height: 20, data: data)
        #expect(canvas.row(containing: "fixed after") != nil, "\(canvas.screen)")
    }
}

/// The SSL form reads PEMs from files and never shows the key.
struct SSLFormTests {
    @Test func newCertificateFromFilesAndAMissingFileIsNamed() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let dir = NSTemporaryDirectory() + "sluice-pem-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".write(toFile: dir + "/c.pem", atomically: true, encoding: .utf8)
        try "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n".write(toFile: dir + "/k.pem", atomically: true, encoding: .utf8)
        let form = FormScreen(spec: SSLFormSpec(), store: store, existing: nil)
        func fill(_ key: String, _ text: String) {
            while form.fields[form.focus].key != key { _ = form.handle(.down, data: data).settled }
            for c in text { _ = form.handle(.char(c), data: data).settled }
        }
        fill("snis", "a.example.com, *.example.com")
        fill("cert", dir + "/c.pem")
        fill("key", dir + "/missing.pem")
        _ = form.handle(.function(2), data: data).settled
        #expect(form.fields.first { $0.key == "key" }?.error == "cannot read \(dir)/missing.pem")
        while form.fields[form.focus].key != "key" { _ = form.handle(.up, data: data).settled }
        for _ in 0..<"missing.pem".count { _ = form.handle(.backspace, data: data).settled }
        for c in "k.pem" { _ = form.handle(.char(c), data: data).settled }
        _ = form.handle(.function(2), data: data).settled
        let ssl = try #require(store.snapshot.config.ssls.first)
        #expect(ssl.snis == ["a.example.com", "*.example.com"])
        #expect(ssl.key.contains("PRIVATE KEY"))
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        FormScreen(spec: SSLFormSpec(), store: store, existing: store.snapshot.config.documents(.ssls)[0])
            .draw(on: canvas, top: 2, height: 20, data: data)
        #expect(!canvas.screen.contains("PRIVATE KEY"))
    }
}
