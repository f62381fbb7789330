import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceConsole

/// The console writes through the Admin API's transaction: stamps, PEM checks, and the "changed elsewhere" check
/// inside it, with the operator's choices — show their change, reload, overwrite (merged) — and no resurrection.
struct FormWritePathTests {
    static let sizes = [(24, 80), (48, 160)]

    func type(_ text: String, into form: FormScreen, data: ConsoleData) {
        for c in text { _ = form.handle(.char(c), data: data).settled }
    }

    func focus(_ key: String, in form: FormScreen, data: ConsoleData) {
        while form.fields[form.focus].key != key { _ = form.handle(.down, data: data).settled }
    }

    func echoForm(_ store: Store, now: Int = 2_000) throws -> FormScreen {
        let doc = try #require(store.snapshot.config.documents(.upstreams).first { $0.id == "echo" })
        return FormScreen(spec: UpstreamFormSpec(), store: store, existing: doc, now: { now })
    }

    /// What the Admin API's `PATCH /upstreams/echo {"desc": …}` does, through the same Store call.
    func patchElsewhere(_ store: Store, desc: String) throws {
        _ = try store.writeObject(.upstreams, source: .adminAPI, now: 3_000) { snapshot in
            var value = try #require(snapshot.config.documents(.upstreams).first { $0.id == "echo" }).raw
            value["desc"] = .string(desc)
            return ("echo", value)
        }
    }

    @Test func consoleSavesAreStamped() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let form = FormScreen(spec: UpstreamFormSpec(), store: store, existing: nil, now: { 1_000 })
        focus("id", in: form, data: data)
        for _ in 0..<5 { _ = form.handle(.backspace, data: data).settled }
        type("fresh", into: form, data: data)
        focus("nodes#0", in: form, data: data)
        type("127.0.0.1:7005=1", into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        let created = try #require(store.snapshot.config.upstream("fresh")?.raw)
        #expect(created["create_time"] == .int(1_000) && created["update_time"] == .int(1_000))
        let again = FormScreen(spec: UpstreamFormSpec(), store: store, existing: ("fresh", created), now: { 1_500 })
        focus("retries", in: again, data: data)
        type("1", into: again, data: data)
        _ = again.handle(.function(2), data: data).settled
        let updated = try #require(store.snapshot.config.upstream("fresh")?.raw)
        #expect(updated["create_time"] == .int(1_000) && updated["update_time"] == .int(1_500))
        #expect(store.revisions.first?.source == .console)
    }

    @Test func consoleCertificatesGetThePEMCheck() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let dir = NSTemporaryDirectory() + "sluice-pem-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "-----BEGIN CERTIFICATE-----\nMIIB\n".write(toFile: dir + "/c.pem", atomically: true, encoding: .utf8)
        try "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n".write(toFile: dir + "/k.pem", atomically: true, encoding: .utf8)
        let form = FormScreen(spec: SSLFormSpec(), store: store, existing: nil)
        focus("snis", in: form, data: data)
        type("a.example.com", into: form, data: data)
        focus("cert", in: form, data: data)
        type(dir + "/c.pem", into: form, data: data)
        focus("key", in: form, data: data)
        type(dir + "/k.pem", into: form, data: data)
        _ = form.handle(.function(2), data: data).settled
        #expect(form.fields.first { $0.key == "cert" }?.error?.contains("must be a PEM certificate (-----BEGIN") == true)
        #expect(store.snapshot.config.ssls.isEmpty)
    }

    @Test(arguments: sizes) func concurrentAPIChangeIsNeitherLostNorOverwrittenSilently(rows: Int, cols: Int) throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let form = try echoForm(store)
        focus("retries", in: form, data: data)
        type("2", into: form, data: data)
        try patchElsewhere(store, desc: "theirs")
        guard case .flash(let text, true) = form.handle(.function(2), data: data).settled else {
            Issue.record("expected the conflict prompt")
            return
        }
        #expect(text.contains("changed elsewhere"))
        #expect(store.snapshot.config.upstream("echo")?.retries == nil, "nothing saved yet")
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        let app = ConsoleApp(tabs: [form], data: data)
        app.render(on: canvas)
        let prompt = try #require(canvas.row(containing: "d show diff"), "\(canvas.screen)")
        #expect(canvas.line(prompt).hasPrefix("⚠ upstream echo changed elsewhere") && canvas.style(prompt, 0) == .warning)
        #expect(canvas.line(rows - 1).contains("d show their change") && canvas.line(rows - 1).contains("o overwrite"))
        // Typing is held while the prompt waits: `d` shows their change as a diff.
        app.handle(.char("d"))
        app.render(on: canvas)
        #expect(canvas.row(containing: "+desc: theirs") != nil, "\(canvas.screen)")
        #expect(canvas.row(containing: "--- as opened (revision 1)") != nil)
        app.handle(.escape)
        app.handle(.char("o"))
        let saved = try #require(store.snapshot.config.upstream("echo"))
        #expect(saved.retries == 2, "mine")
        #expect(saved.raw["desc"]?.stringValue == "theirs", "theirs, kept")
        #expect(form.conflict == nil)
    }

    @Test func reloadDiscardsMineAndSavesCleanly() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let form = try echoForm(store)
        focus("retries", in: form, data: data)
        type("2", into: form, data: data)
        try patchElsewhere(store, desc: "theirs")
        _ = form.handle(.function(2), data: data).settled
        _ = form.handle(.char("r"), data: data).settled
        #expect(form.conflict == nil && form.fields.first { $0.key == "retries" }?.value == "")
        focus("retries", in: form, data: data)
        type("3", into: form, data: data)
        guard case .sequence = form.handle(.function(2), data: data).settled else {
            Issue.record("expected a save after the reload")
            return
        }
        #expect(store.snapshot.config.upstream("echo")?.retries == 3)
        #expect(store.snapshot.config.upstream("echo")?.raw["desc"]?.stringValue == "theirs")
    }

    @Test(arguments: sizes) func anObjectDeletedElsewhereIsNotResurrectedSilently(rows: Int, cols: Int) throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let doc = try #require(store.snapshot.config.documents(.streamRoutes).first { $0.id == "2" })
        let form = FormScreen(spec: RouteFormSpec(), store: store, existing: doc)
        try store.deleteObject(.streamRoutes, id: "2", source: .adminAPI)
        _ = form.handle(.function(2), data: data).settled
        #expect(store.snapshot.config.streamRoutes.map(\.id) == ["1"])
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        let app = ConsoleApp(tabs: [form], data: data)
        app.render(on: canvas)
        #expect(canvas.row(containing: "stream route 2 was deleted elsewhere: o create it again") != nil, "\(canvas.screen)")
        app.handle(.char("x"))  // not an answer: nothing happens
        app.handle(.escape)
        #expect(form.conflict == nil)
        app.handle(.function(2))
        #expect(store.snapshot.config.streamRoutes.map(\.id) == ["1"], "F2 again asks again")
        app.handle(.char("o"))
        #expect(store.snapshot.config.streamRoutes.map(\.id) == ["1", "2"], "recreated when asked")
    }
}

/// Field-level merging of my edit with theirs.
struct ThreeWayMergeTests {
    func v(_ json: String) throws -> ConfigValue { try ConfigValue.parseJSON(Array(json.utf8)) }

    @Test func eachSideKeepsWhatOnlyItChanged() throws {
        let base = try v(#"{"a":1,"b":{"x":1,"y":1},"c":1}"#)
        let mine = try v(#"{"a":2,"b":{"x":2,"y":1},"c":1}"#)
        let theirs = try v(#"{"a":1,"b":{"x":1,"y":3},"d":4}"#)
        #expect(ThreeWayMerge.merge(base: base, mine: mine, theirs: theirs) == (try v(#"{"a":2,"b":{"x":2,"y":3},"d":4}"#)))
        #expect(ThreeWayMerge.merge(base: base, mine: base, theirs: theirs) == theirs)
        let both = try v(#"{"a":5,"b":{"x":1,"y":1},"c":1}"#)
        #expect(ThreeWayMerge.merge(base: base, mine: mine, theirs: both)?["a"] == .int(2), "both changed: mine wins")
    }
}
