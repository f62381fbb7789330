import Foundation
import Testing
@testable import SluiceConfig

/// The incremental paths of a change against the whole-document ones they stand in for: one stream route validated
/// alone (`ObjectEdit`), the data file's text rendered object by object (`RenderedDocument`), the quick test for
/// strings that need no quotes (`PlainString`).
struct StoreEditTests {
    /// A base configuration with what routes can refer to: two upstreams, a stream service, an http service, a
    /// kept APISIX section, and routes whose texts need quoting (bool-like names, colons, several lines).
    static let base = """
    {"upstreams":[{"id":"u1","nodes":{"127.0.0.1:6379":1}},{"id":"u2","type":"chash","key":"remote_addr",
      "nodes":[{"host":"127.0.0.2","port":80,"weight":1}]}],
     "services":[{"id":"s1","upstream_id":"u2"},{"id":"web","type":"http"},{"id":"bare"}],
     "stream_routes":[{"id":"r0","upstream_id":"u1"},{"id":"r1","service_id":"s1","name":"yes"},
       {"id":"r2","upstream":{"nodes":{"127.0.0.1:1":1}},"desc":"two\\nlines: and 'quotes'"}],
     "plugin_metadata":[{"id":"syslog","log_format":{"host":"$host"}}]}
    """

    /// One drawn change: mostly valid puts of routes (new and existing), some with a problem, and deletes.
    static func change(_ step: Int, ids: [String]) throws -> ConfigChange {
        var h = UInt64(truncatingIfNeeded: step &+ 1) &* 0x9e37_79b9_7f4a_7c15
        func pick<T>(_ options: [T]) -> T {
            h = (h ^ (h >> 29)) &* 0xbf58_476d_1ce4_e5b9
            return options[Int(h >> 33) % options.count]
        }
        let id = ids.isEmpty || pick([true, false]) ? pick(["r\(step)", "new-\(step % 7)"]) : pick(ids)
        if pick(Array(repeating: false, count: 9) + [true]) { return .delete(.streamRoutes, id: id) }
        var fields = [#""id":"\#(pick([id, id, id, id, "other"]))""#]
        fields.append(pick([#""upstream_id":"u1""#, #""upstream_id":"u2""#, #""service_id":"s1""#,
                            #""upstream":{"nodes":{"127.0.0.1:7000":1}}"#, #""upstream":{"nodes":{}}"#,
                            #""upstream_id":"gone""#, #""service_id":"web""#, #""service_id":"bare""#, ""]))
        fields.append(pick(["", #""server_port":\#(pick([80, 9100, 9100, 443, 0, 70000]))"#]))
        fields.append(pick(["", #""remote_addr":"10.\#(step % 256).0.0/16""#, #""sni":"*.example.com""#,
                            #""remote_addr":["10.1.0.0/16","::1"]"#, #""remote_addr":"nonsense""#, #""sni":"a b""#]))
        fields.append(pick(["", #""name":"\#(pick(["on", "No", "a: b", "plain", "", "12", "x#y"]))""#,
                            #""desc":"first\nsecond""#, #""priority":\#(pick([1, -3]))"#, #""unknown":1"#]))
        let json = "{" + fields.filter { !$0.isEmpty }.joined(separator: ",") + "}"
        return .put(.streamRoutes, id: id, value: try ConfigValue.parseJSON(Array(json.utf8)))
    }

    @Test func oneRouteValidatedAloneAgreesWithTheWholeDocument() throws {
        let config = try GatewayConfig.decode(try ConfigValue.parseJSON(Array(Self.base.utf8)), file: nil)
        var snapshot = ConfigSnapshot(revision: 1, config: config, objectRevisions: Store.revisions(
            old: ConfigSnapshot(revision: 0, config: GatewayConfig(), objectRevisions: [:]), new: config, revision: 1))
        var rendered = RenderedDocument()
        var (quick, refused) = (0, 0)
        for step in 0..<800 {
            let change = try Self.change(step, ids: snapshot.config.streamRoutes.map(\.id))
            let whole = Result { () throws(StoreError) in try Store.proposedConfig(change, on: snapshot) }
            let revision = snapshot.revision + 1
            if let edit = ObjectEdit(change, on: snapshot.config) {
                quick += 1
                #expect(try whole.get() == edit.config, "step \(step): \(change)")
                // A put of what is there already commits nothing (`commitLocked`).
                if edit.before != edit.after {
                    #expect([edit.change] == ObjectChange.between(snapshot.config, edit.config))
                    #expect(edit.objectRevisions(snapshot.objectRevisions, revision: revision)
                            == Store.revisions(old: snapshot, new: edit.config, revision: revision))
                }
            }
            guard case .success(let next) = whole else {
                refused += 1
                continue
            }
            snapshot = ConfigSnapshot(revision: revision, config: next,
                                      objectRevisions: Store.revisions(old: snapshot, new: next, revision: revision))
            #expect(rendered.text(of: next) == next.document().yamlText(), "step \(step)")
        }
        #expect(quick > 100 && refused > 100 && snapshot.config.streamRoutes.count > 10)
    }

    @Test func renderedTextFollowsDeletesAndReorderings() throws {
        var config = try GatewayConfig.decode(try ConfigValue.parseJSON(Array(Self.base.utf8)), file: nil)
        var rendered = RenderedDocument()
        #expect(rendered.text(of: config) == config.document().yamlText())
        config.streamRoutes.remove(at: 0)
        #expect(rendered.text(of: config) == config.document().yamlText())
        config.streamRoutes.reverse()
        config.otherSections = []
        #expect(rendered.text(of: config) == config.document().yamlText())
        #expect(rendered.text(of: GatewayConfig()) == GatewayConfig().document().yamlText())
    }

    @Test func plainStringsAreThoseTheParserReadsAsStrings() {
        let alphabet = Array("aZy0019./_-:# ex")
        var checked = 0
        for n in 0..<20_000 {
            var s = ""
            var k = n
            repeat {
                s.append(alphabet[k % alphabet.count])
                k /= alphabet.count
            } while k > 0
            for candidate in [s, "y" + s, "1" + s] where PlainString.isCertain(candidate) {
                #expect(!ConfigValue.parserNeedsQuotes(candidate), "\(candidate)")
                checked += 1
            }
        }
        for word in ["yes", "No", "ON", "off", "null", "Null", "true", "FALSE", "y", "n", "1e3", "0x1F", "12",
                     "2001-12-14", "1.5", "a b", ":x", "-x", ".inf", ""] {
            #expect(!PlainString.isCertain(word), "\(word)")
        }
        #expect(checked > 10_000)
        #expect(PlainString.isCertain("10.0.0.0/24") && PlainString.isCertain("r0") && PlainString.isCertain("u-1.a_b"))
    }
}
